"""DANA, EEG2Video's dynamic-aware noise adding: the initial latents of the video sampler."""

from dataclasses import dataclass

import numpy as np
import torch

from .._validation import check_option


@dataclass(frozen=True)
class DanaConfig:
    """Parameters of :func:`dana`.

    Parameters
    ----------
    beta_fast, beta_slow : float
        Share of the noise variance that all frames of a clip share, for clips predicted fast
        and slow. The paper's intent (author, issue #8) is fast 0.2 / slow 0.3; the released
        ``add_noise.py`` swaps them (spec D9).
    n_steps : int
        Length of DANA's own linear noise schedule (500).
    beta_start, beta_end : float
        Its first and last betas (1e-4, 0.02).
    timestep : 'random' | int
        ``random`` draws t uniformly from 0 … n_steps − 1 per clip, as released (spec D10);
        an integer fixes it.
    seed : int
        3407 in the original.
    """

    beta_fast: float = 0.2
    beta_slow: float = 0.3
    n_steps: int = 500
    beta_start: float = 1e-4
    beta_end: float = 0.02
    timestep: str | int = "random"
    seed: int = 3407

    def __post_init__(self):
        for name in ("beta_fast", "beta_slow"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)!r}.")
        if isinstance(self.timestep, str):
            check_option("timestep", self.timestep, ("random",))
        elif not 0 <= self.timestep < self.n_steps:
            raise ValueError(
                f"timestep must be 'random' or an integer in [0, {self.n_steps}), "
                f"got {self.timestep!r}."
            )

    def alphas_cumprod(self) -> np.ndarray:
        """ᾱ_t = ∏_{i ≤ t} (1 − β_i) of the linear schedule, t = 0 … n_steps − 1."""
        betas = np.linspace(self.beta_start, self.beta_end, self.n_steps, dtype=np.float64)
        return np.cumprod(1.0 - betas)


def dana(
    latents: np.ndarray, fast: np.ndarray, config: DanaConfig = DanaConfig()
) -> tuple[np.ndarray, np.ndarray]:
    """Noise predicted clip latents with noise that is partly shared by a clip's frames.

    ``z = sqrt(ᾱ_t) · ẑ0 + sqrt(1 − ᾱ_t) · (sqrt(β) · ε_s + sqrt(1 − β) · ε_d)``, where ``ε_s``
    is one Gaussian frame shared by all frames of the clip, ``ε_d`` independent per frame, and
    β is ``beta_fast`` or ``beta_slow`` by the clip's predicted dynamics (spec §4.8).

    Parameters
    ----------
    latents : ndarray, shape (n_clips, n_frames, channels, height, width)
        Predicted latents ẑ0.
    fast : ndarray of bool, shape (n_clips,)
        Predicted fast/slow label of each clip, in the same order.
    config : DanaConfig

    Returns
    -------
    noised : ndarray of float32, same shape as ``latents``
    timesteps : ndarray of int, shape (n_clips,)
        The t of each clip.
    """
    latents = np.asarray(latents)
    fast = np.asarray(fast)
    if latents.ndim != 5 or fast.shape != latents.shape[:1]:
        raise ValueError(
            f"latents must be (clip, frame, channel, height, width) with one fast/slow label per "
            f"clip; got latents {latents.shape} and labels {fast.shape}."
        )
    generator = torch.Generator().manual_seed(config.seed)
    n_clips = len(latents)
    if config.timestep == "random":
        timesteps = torch.randint(0, config.n_steps, (n_clips,), generator=generator).numpy()
    else:
        timesteps = np.full(n_clips, config.timestep)
    shape = latents.shape
    shared = torch.randn((n_clips, 1, *shape[2:]), generator=generator).numpy()
    per_frame = torch.randn(shape, generator=generator).numpy()
    beta = np.where(fast.astype(bool), config.beta_fast, config.beta_slow)[
        :, None, None, None, None
    ]
    noise = np.sqrt(beta) * shared + np.sqrt(1.0 - beta) * per_frame
    alpha_bar = config.alphas_cumprod()[timesteps][:, None, None, None, None]
    noised = np.sqrt(alpha_bar) * latents + np.sqrt(1.0 - alpha_bar) * noise
    return noised.astype(np.float32), timesteps
