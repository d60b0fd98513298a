"""The focus model: logistic regression on standardised focus features, answering P(focused).

A linear model with calibrated probabilities, as the spec asks of the fine-tuned model; the
base model is the same kind, fitted focused-vs-rest on a focus dataset. Fine-tuning fits the
user's calibration windows with a penalty that pulls the weights toward the base model's, so
little data moves the model a little and more data moves it further. Weights are saved as
safetensors and the rest as JSON; nothing is pickled.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import optimize

from ..fileio import atomic_path, write_json

WEIGHTS_FILE, CONFIG_FILE = "model.safetensors", "config.json"


@dataclass
class FocusModel:
    """P(focused) = σ(w · (x − mean) / scale + b).

    Attributes
    ----------
    weights : ndarray, shape (n_features,)
    bias : float
    mean, scale : ndarray, shape (n_features,)
        The standardisation, fitted on the base model's training split; fine-tuned models keep
        the base model's.
    config : dict
        The feature settings, channel names, and what the model was fitted on.
    """

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    config: dict = field(default_factory=dict)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """P(focused) of each (n_windows, n_features) feature vector."""
        features = np.atleast_2d(features)
        if features.shape[1] != len(self.weights):
            raise ValueError(
                f"The focus model takes {len(self.weights)} features, got {features.shape[1]}."
            )
        logits = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, folder: str | Path) -> Path:
        """Write ``model.safetensors`` and ``config.json`` into ``folder``, whole or not at all."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        with atomic_path(folder) as temporary:
            temporary.mkdir()
            save_file(
                {
                    "weights": self.weights.astype(np.float64),
                    "bias": np.array([self.bias], dtype=np.float64),
                    "mean": self.mean.astype(np.float64),
                    "scale": self.scale.astype(np.float64),
                },
                str(temporary / WEIGHTS_FILE),
            )
            write_json(temporary / CONFIG_FILE, self.config)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "FocusModel":
        from safetensors.numpy import load_file

        folder = Path(folder)
        missing = [name for name in (WEIGHTS_FILE, CONFIG_FILE) if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(f"Focus model folder {str(folder)!r} lacks {missing}.")
        arrays = load_file(str(folder / WEIGHTS_FILE))
        config = json.loads((folder / CONFIG_FILE).read_text())
        return cls(
            arrays["weights"], float(arrays["bias"][0]), arrays["mean"], arrays["scale"], config
        )


def fit_logistic(
    standardised: np.ndarray,
    labels: np.ndarray,
    *,
    l2: float,
    prior_weights: np.ndarray | None = None,
    prior_bias: float = 0.0,
) -> tuple[np.ndarray, float]:
    """Weights and bias minimising the summed log-loss plus ``l2 / 2 · ‖w − prior‖²``.

    The bias is not penalised. With ``prior_weights`` None the prior is zero (ridge).
    """
    x, y = np.asarray(standardised, dtype=np.float64), np.asarray(labels, dtype=np.float64)
    if set(np.unique(y)) != {0.0, 1.0}:
        raise ValueError("Fitting a focus model needs windows of both classes.")
    prior = np.zeros(x.shape[1]) if prior_weights is None else np.asarray(prior_weights)

    def loss(parameters):
        w, b = parameters[:-1], parameters[-1]
        logits = x @ w + b
        value = np.sum(np.logaddexp(0, logits) - y * logits) + 0.5 * l2 * np.sum((w - prior) ** 2)
        residual = 1 / (1 + np.exp(-logits)) - y
        gradient = np.concatenate([x.T @ residual + l2 * (w - prior), [residual.sum()]])
        return value, gradient

    start = np.concatenate([prior, [prior_bias]])
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def fit_focus_model(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    l2: float = 1.0,
    base: FocusModel | None = None,
    config: dict | None = None,
) -> FocusModel:
    """Fit P(focused) on feature vectors; ``labels`` are 1 for focused, 0 otherwise.

    Without ``base``, the standardisation is fitted on ``features`` and the weights are pulled
    toward zero. With ``base``, its standardisation is kept and the weights are pulled toward
    its weights (fine-tuning).
    """
    features = np.asarray(features, dtype=np.float64)
    if base is None:
        mean, scale = features.mean(axis=0), features.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        prior_weights, prior_bias = None, 0.0
    else:
        mean, scale = base.mean, base.scale
        prior_weights, prior_bias = base.weights, base.bias
    weights, bias = fit_logistic(
        (features - mean) / scale, labels, l2=l2, prior_weights=prior_weights, prior_bias=prior_bias
    )
    return FocusModel(weights, bias, mean, scale, dict(config or {}))
