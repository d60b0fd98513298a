"""Feature standardisation fitted on the training split only, stored as plain numbers."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """Per-feature mean and standard deviation, fitted on training samples only.

    Attributes
    ----------
    mean, scale : ndarray, shape (n_features...)
        ``transform(x) = (x - mean) / scale``; a constant feature gets scale 1.
    """

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, samples: np.ndarray) -> "Standardizer":
        """Fit on ``samples`` of shape (n_samples, ...features)."""
        if samples.shape[0] < 2:
            raise ValueError(
                f"A standardizer needs at least 2 training samples, got {samples.shape[0]}."
            )
        if not np.isfinite(samples).all():
            raise ValueError("Training features contain NaN or infinite values.")
        mean = samples.mean(axis=0, dtype=np.float64)
        scale = samples.std(axis=0, dtype=np.float64)
        return cls(mean=mean, scale=np.where(scale > 0, scale, 1.0))

    def transform(self, samples: np.ndarray) -> np.ndarray:
        if samples.shape[1:] != self.mean.shape:
            raise ValueError(
                f"Features of shape {samples.shape[1:]} do not match the fitted {self.mean.shape}."
            )
        return ((samples - self.mean) / self.scale).astype(np.float32)

    @classmethod
    def fit_channels(cls, windows: np.ndarray) -> "Standardizer":
        """Per-channel mean and std over windows and time of (..., channel, time) windows."""
        n_channels = windows.shape[-2]
        return cls.fit(np.moveaxis(windows, -2, -1).reshape(-1, n_channels))

    def transform_channels(self, windows: np.ndarray) -> np.ndarray:
        """Standardise (..., channel, time) windows with a :meth:`fit_channels` scaler."""
        return ((windows - self.mean[:, None]) / self.scale[:, None]).astype(np.float32)

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, values: dict) -> "Standardizer":
        return cls(mean=np.asarray(values["mean"]), scale=np.asarray(values["scale"]))
