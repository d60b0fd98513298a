"""DANA, EEG2Video's dynamic-aware noise adding: the initial latents of the video sampler."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .._validation import check_option
from ..artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact


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
    timestep : 'random' | int | 'sampler'
        ``random`` draws t uniformly from 0 … n_steps − 1 per clip, as released (spec D10);
        an integer fixes it on DANA's own schedule. ``sampler`` leaves the noising to the
        video sampler: DANA's noise becomes the noise that image-to-image sampling adds at the
        timestep the sampler starts from (``generate.strength`` below 1, see
        :func:`~eegdecode.diffusion.generate.generate_clips`), so the latents are noised once,
        on the sampler's schedule, instead of twice.
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
            check_option("timestep", self.timestep, ("random", "sampler"))
        elif not 0 <= self.timestep < self.n_steps:
            raise ValueError(
                f"timestep must be 'random', 'sampler' or an integer in [0, {self.n_steps}), "
                f"got {self.timestep!r}."
            )

    def alphas_cumprod(self) -> np.ndarray:
        """ᾱ_t = ∏_{i ≤ t} (1 − β_i) of the linear schedule, t = 0 … n_steps − 1."""
        betas = np.linspace(self.beta_start, self.beta_end, self.n_steps, dtype=np.float64)
        return np.cumprod(1.0 - betas)


def dana(
    latents: np.ndarray, fast: np.ndarray, config: DanaConfig = DanaConfig()
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Noise predicted clip latents with noise that is partly shared by a clip's frames.

    ``z = sqrt(ᾱ_t) · ẑ0 + sqrt(1 − ᾱ_t) · ε`` with ``ε = sqrt(β) · ε_s + sqrt(1 − β) · ε_d``,
    where ``ε_s`` is one Gaussian frame shared by all frames of the clip, ``ε_d`` independent
    per frame, and β is ``beta_fast`` or ``beta_slow`` by the clip's predicted dynamics
    (spec §4.8). With ``timestep='sampler'`` the latents are returned as they are, beside ε,
    for the sampler to noise them with.

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
        z (ẑ0 with ``timestep='sampler'``).
    timesteps : ndarray of int, shape (n_clips,) | None
        The t of each clip; None with ``timestep='sampler'``.
    noise : ndarray of float32, same shape as ``latents``
        ε.
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
    timesteps = None
    if config.timestep == "random":
        timesteps = torch.randint(0, config.n_steps, (n_clips,), generator=generator).numpy()
    elif config.timestep != "sampler":
        timesteps = np.full(n_clips, config.timestep)
    shape = latents.shape
    shared = torch.randn((n_clips, 1, *shape[2:]), generator=generator).numpy()
    per_frame = torch.randn(shape, generator=generator).numpy()
    beta = np.where(fast.astype(bool), config.beta_fast, config.beta_slow)[
        :, None, None, None, None
    ]
    noise = np.sqrt(beta) * shared + np.sqrt(1.0 - beta) * per_frame
    if timesteps is None:
        return latents.astype(np.float32), None, noise.astype(np.float32)
    alpha_bar = config.alphas_cumprod()[timesteps][:, None, None, None, None]
    noised = np.sqrt(alpha_bar) * latents + np.sqrt(1.0 - alpha_bar) * noise
    return noised.astype(np.float32), timesteps, noise.astype(np.float32)


def dana_from_predictions(
    latents: str | Path, fast_slow: str | Path, output: str | Path, settings: Mapping
) -> Path:
    """DANA of one subject's predicted test-block latents, β from its fast/slow predictions.

    Parameters
    ----------
    latents : str | Path
        Seq2Seq's predictions: ``latents`` (class, rep, frame, channel, h, w) and
        ``concept_ids``; its attributes pass on to the output.
    fast_slow : str | Path
        The dynamic predictor's ``fast`` (class, rep) labels of the same clips.
    output : str | Path
        ``latents`` (z, or ẑ0 with ``timestep: sampler``), ``timesteps`` (class, rep) or, with
        ``timestep: sampler``, ``noise`` (ε, for the sampler to noise ẑ0 with), and
        ``concept_ids``.
    settings : dict
        The fields of :class:`DanaConfig` (``video_diffusion.dana``).

    Returns
    -------
    output : Path
    """
    predicted = read_array(latents, "latents")
    fast = read_array(fast_slow, "fast", axes=("class", "rep")).data
    if predicted.axes[:2] != ("class", "rep") or predicted.data.shape[:2] != fast.shape:
        raise ValueError(
            f"{latents} holds latents {predicted.axes} {predicted.data.shape} but {fast_slow} "
            f"has fast/slow labels of shape {fast.shape}: both must be (class, rep, ...) of "
            f"the same test block."
        )
    shape = predicted.data.shape
    noised, timesteps, noise = dana(
        predicted.data.reshape(-1, *shape[2:]), fast.reshape(-1), DanaConfig(**settings)
    )
    arrays = {"latents": AxisArray(noised.reshape(shape), predicted.axes, {"order": "class"})}
    if timesteps is None:
        arrays["noise"] = AxisArray(noise.reshape(shape), predicted.axes, {"order": "class"})
    else:
        arrays["timesteps"] = AxisArray(timesteps.reshape(shape[:2]), ("class", "rep"))
    arrays["concept_ids"] = read_array(latents, "concept_ids")
    return write_artifact(
        output, arrays, producer="dana", attrs=inherit_attrs(read_attrs(latents)),
        parameters=settings,
    )  # fmt: skip
