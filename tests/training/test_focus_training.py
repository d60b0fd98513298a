import pytest

from eegdecode.datasets.focus import (
    FocusEEGSource,
    FocusSignature,
    synthesize_attention_record,
)
from eegdecode.signal import FocusFeatureConfig
from eegdecode.training.focus import (
    calibration_features,
    finetune_focus_model,
    train_base_focus_model,
)

CONFIG = FocusFeatureConfig()


def _records(signature_of, n_subjects=4, n_records=2):
    return {
        subject: [
            synthesize_attention_record(signature_of(subject), state_minutes=1,
                                        seed=100 * subject + r)
            for r in range(n_records)
        ]
        for subject in range(1, n_subjects + 1)
    }  # fmt: skip


def test_base_model_learns_the_states_and_not_noise():
    def same_in_every_state(subject):
        signature = FocusSignature.population(7, seed=subject)
        flat = {state: (3.0, 3.0, 3.0) for state in signature.amplitudes}
        return FocusSignature(signature.frequencies, flat, signature.channel_gains)

    _, null = train_base_focus_model(
        _records(same_in_every_state), sfreq=128, state_minutes=1, feature_config=CONFIG
    )
    metrics = train_base_focus_model(
        _records(lambda s: FocusSignature.population(7, seed=s)), sfreq=128, state_minutes=1,
        feature_config=CONFIG,
    )[1]  # fmt: skip
    assert metrics["test"]["balanced_accuracy"] > 0.75
    assert null["test"]["balanced_accuracy"] < 0.62
    assert metrics["test"]["chance"] == pytest.approx(2 / 3)


def _session(signature, seed):
    source = FocusEEGSource(signature, 128, seed=seed)
    return {"focused": [source.next(40 * 128, "focused")],
            "unfocused": [source.next(40 * 128, "unfocused")]}  # fmt: skip


def test_finetuned_model_beats_the_base_on_a_user_with_another_signature():
    base, _ = train_base_focus_model(
        _records(lambda s: FocusSignature.population(7, seed=s)), sfreq=128, state_minutes=1,
        feature_config=CONFIG,
    )  # fmt: skip
    user = FocusSignature.for_user("alice", 7)
    classes = {"focused": 1, "unfocused": 0}
    sessions = [(f"s{k}", *calibration_features(_session(user, k), classes, CONFIG))
                for k in range(3)]  # fmt: skip
    model, metrics = finetune_focus_model(base, sessions, l2=1.0, user="alice")
    held_out = metrics["held_out"]
    assert held_out["session"] == "s2" and metrics["n_windows"] == 3 * 2 * 26
    assert held_out["finetuned_accuracy"] > 0.9
    assert held_out["finetuned_accuracy"] > held_out["base_accuracy"] + 0.25
    assert model.config["kind"] == "finetuned" and model.config["sessions"] == ["s0", "s1", "s2"]
    _, metrics = finetune_focus_model(base, sessions[:1], l2=1.0, user="alice")
    assert metrics["held_out"] is None
    with pytest.raises(ValueError, match="no complete calibration session"):
        finetune_focus_model(base, [], l2=1.0, user="alice")
