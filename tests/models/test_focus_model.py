import numpy as np
import pytest

from eegdecode.models.focus import FocusModel, fit_focus_model, fit_logistic


def _problem(n=400, shift=1.5, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    features = rng.standard_normal((n, 5)) * 3 + 10
    features[:, 0] += shift * 3 * (2 * labels - 1)
    return features, labels


def test_logistic_fit_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    features, labels = _problem()
    standardised = (features - features.mean(0)) / features.std(0)
    weights, bias = fit_logistic(standardised, labels, l2=1.0)
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=1000).fit(standardised, labels)
    np.testing.assert_allclose(weights, reference.coef_[0], rtol=1e-4, atol=1e-5)
    assert bias == pytest.approx(reference.intercept_[0], abs=1e-4)


def test_model_predicts_and_round_trips(tmp_path):
    features, labels = _problem()
    model = fit_focus_model(features, labels, config={"kind": "base"})
    accuracy = np.mean((model.predict_proba(features) > 0.5) == labels)
    assert accuracy > 0.9
    loaded = FocusModel.load(model.save(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.predict_proba(features), model.predict_proba(features))
    assert loaded.config == {"kind": "base"}
    with pytest.raises(ValueError, match="takes 5 features"):
        model.predict_proba(features[:, :4])
    with pytest.raises(FileNotFoundError, match="lacks"):
        FocusModel.load(tmp_path)


def test_finetuning_is_pulled_toward_the_base_by_l2():
    base = fit_focus_model(*_problem(seed=0))
    # the new data's signal sits in another feature
    features, labels = _problem(seed=1)
    features[:, [0, 1]] = features[:, [1, 0]]
    strong = fit_focus_model(features[:20], labels[:20], l2=1e4, base=base)
    weak = fit_focus_model(features[:20], labels[:20], l2=1e-2, base=base)
    assert np.abs(strong.weights - base.weights).max() < 0.05
    assert np.abs(weak.weights[1]) > np.abs(weak.weights[0])
    np.testing.assert_array_equal(weak.mean, base.mean)  # the base standardisation is kept
    with pytest.raises(ValueError, match="both classes"):
        fit_focus_model(features, np.ones(len(features)), base=base)
