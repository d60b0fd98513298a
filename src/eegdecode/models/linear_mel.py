"""LinearMelDecoder, SingleWordProductionDutch's reference decoder: principal components of the
stacked high-gamma features, then ordinary least squares onto the log-mel bins."""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .base import ModelConfig, PretrainedModel


@dataclass(frozen=True)
class LinearMelDecoderConfig(ModelConfig):
    """Parameters of :class:`LinearMelDecoder`.

    Parameters
    ----------
    n_features : int
        Stacked features per frame (channels × 9 context frames in the reference).
    n_components : int
        Principal components kept (50).
    n_mels : int
        Log-mel bins predicted (23).
    """

    n_features: int
    n_components: int = 50
    n_mels: int = 23


class LinearMelDecoder(PretrainedModel):
    """``mel = (x · Pᵀ) · Wᵀ + b``: a fixed projection onto principal components, then a linear
    regression (Verwoert et al. 2022, ``reconstruction_minimal.py``).

    Inputs are z-scored features (the trained folder keeps their training statistics). Nothing
    here is trained by gradient descent: :meth:`fit` sets both layers in closed form.

    Parameters
    ----------
    config : LinearMelDecoderConfig

    References
    ----------
    Verwoert, M. et al. Dataset of speech production in intracranial electroencephalography.
    Scientific Data 9, 434 (2022). https://doi.org/10.1038/s41597-022-01542-9
    """

    config_class = LinearMelDecoderConfig

    def __init__(self, config: LinearMelDecoderConfig):
        super().__init__(config)
        self.projection = nn.Linear(config.n_features, config.n_components, bias=False)
        self.regression = nn.Linear(config.n_components, config.n_mels)

    @classmethod
    def fit(cls, features: np.ndarray, targets: np.ndarray, n_components: int = 50):
        """Fit on z-scored training features (n_frames, n_features) and their log-mel frames
        (n_frames, n_mels): principal axes from the eigenvectors of the centred features'
        scatter matrix (largest eigenvalue first; the right singular vectors of the centred
        features, found without their SVD), then least squares with an intercept, in float64.
        ``n_components`` is capped at the number of features and training frames."""
        features = np.asarray(features, dtype=np.float64)
        targets = np.asarray(targets, dtype=np.float64)
        n_components = min(n_components, *features.shape)
        centred = features - features.mean(axis=0)
        eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
        components = eigenvectors[:, np.argsort(eigenvalues)[::-1][:n_components]].T
        scores = features @ components.T
        design = np.concatenate([scores, np.ones((len(scores), 1))], axis=1)
        solution = np.linalg.lstsq(design, targets, rcond=None)[0]
        model = cls(
            LinearMelDecoderConfig(
                n_features=features.shape[1], n_components=n_components, n_mels=targets.shape[1]
            )
        )
        with torch.no_grad():
            model.projection.weight.copy_(torch.from_numpy(components))
            model.regression.weight.copy_(torch.from_numpy(solution[:-1].T))
            model.regression.bias.copy_(torch.from_numpy(solution[-1]))
        return model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_features) → (batch, n_mels)."""
        return self.regression(self.projection(x))
