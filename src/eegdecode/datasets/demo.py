"""The embedded demo: a small SEED-DV-shaped dataset with a planted, learnable concept signal.

Everything is a deterministic function of a seed and the :class:`~eegdecode.datasets.Protocol`,
and is written in exactly the SEED-DV file layout, so the workflow treats it like real data.

- **Concepts** are coloured shapes (circle, square, triangle, face) that move slowly or fast.
  Each block presents every concept once, in a block-specific order; each clip varies the
  direction, the number of objects and the speed a little.
- **Videos** show, per concept, a hint card and then the clips; **captions** describe each
  clip; the **meta-info** arrays (colour, optical-flow score, object number, human, face) follow
  from the same plan.
- **EEG** is 1/f background noise on every channel plus, during each clip, an oscillation at a
  concept-specific frequency with a subject- and concept-specific topography over the signal
  channels (the occipital set by default). ``signal_strength`` scales it; 0 gives a null dataset
  in which nothing about the concept can be decoded.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._logging import logger, verbose
from .._validation import ensure_positive_int
from ..fileio import atomic_path, save_npy
from ..protocol import Protocol
from .seeddv import SEED_DV_META_INFO

SHAPES = ("circle", "square", "triangle", "face")
# Colour categories 0..6 and their RGB values; the index is what All_video_color.npy stores.
COLOURS = {
    "red": (220, 40, 40),
    "orange": (240, 140, 20),
    "yellow": (235, 220, 40),
    "green": (40, 190, 70),
    "cyan": (40, 200, 220),
    "blue": (50, 80, 230),
    "magenta": (210, 50, 200),
}
SPEEDS = ("slowly", "fast")
# Drift speed in frame widths per second; the optical-flow score is this speed in pixels per
# frame of a 512-pixel-wide video, so fast and slow clips straddle SEED-DV's median of 1.8.
_SPEED_WIDTHS_PER_S = {"slowly": 0.06, "fast": 0.3}
_NUMBER_WORDS = ("one", "two", "three")
BACKGROUND_RMS_UV = 10.0
# Peak amplitude of the planted oscillation at signal_strength = 1.
SIGNAL_AMPLITUDE_UV = 6.0
# One planted frequency in each of the theta, alpha, beta and gamma bands, so that concepts
# differ in band power; concepts sharing a frequency differ in topography.
_SIGNAL_FREQUENCIES_HZ = (6.0, 11.0, 22.0, 40.0)


@dataclass(frozen=True)
class DemoPlan:
    """What the demo presents, concept by concept and clip by clip.

    Attributes
    ----------
    labels : ndarray of int, shape (n_blocks, n_concepts)
        Concept id (1-based) at each presentation slot.
    concept_shape, concept_colour, concept_speed : tuple of str
        Appearance of concept id ``k`` at index ``k - 1``.
    direction_rad : ndarray, shape (n_blocks, n_concepts, clips_per_concept)
        Drift direction of each clip.
    n_objects : ndarray of int, shape (n_blocks, n_concepts, clips_per_concept)
        Objects in each clip (1–3).
    speed_factor : ndarray, shape (n_blocks, n_concepts, clips_per_concept)
        Per-clip jitter of the concept's speed.
    """

    protocol: Protocol
    labels: np.ndarray
    concept_shape: tuple[str, ...]
    concept_colour: tuple[str, ...]
    concept_speed: tuple[str, ...]
    direction_rad: np.ndarray
    n_objects: np.ndarray
    speed_factor: np.ndarray

    def concept_name(self, concept_id: int) -> str:
        index = concept_id - 1
        return f"{self.concept_colour[index]} {self.concept_shape[index]}"


def plan_demo(protocol: Protocol, *, seed: int) -> DemoPlan:
    """Draw the presentation order and the content of every clip.

    Parameters
    ----------
    protocol : Protocol
        Blocks, concepts and clips to fill.
    seed : int
        Seed of everything drawn.

    Returns
    -------
    plan : DemoPlan
        Deterministic in ``(protocol, seed)``.
    """
    rng = np.random.default_rng([seed, 0])
    n = protocol.n_concepts
    labels = np.stack([rng.permutation(n) + 1 for _ in range(protocol.n_blocks)])
    colour_names = tuple(COLOURS)
    clip_shape = (protocol.n_blocks, n, protocol.clips_per_concept)
    return DemoPlan(
        protocol=protocol,
        labels=labels,
        concept_shape=tuple(SHAPES[k % len(SHAPES)] for k in range(n)),
        concept_colour=tuple(colour_names[k % len(colour_names)] for k in range(n)),
        concept_speed=tuple(SPEEDS[(k // len(SHAPES)) % len(SPEEDS)] for k in range(n)),
        direction_rad=rng.uniform(0, 2 * np.pi, clip_shape),
        n_objects=rng.choice([1, 2, 3], size=clip_shape, p=[0.6, 0.25, 0.15]),
        speed_factor=rng.uniform(0.75, 1.25, clip_shape),
    )


def _per_clip(plan: DemoPlan, values: Sequence) -> np.ndarray:
    """Map a per-concept value onto (block, concept slot, clip)."""
    per_slot = np.asarray(values)[plan.labels - 1]
    return np.repeat(per_slot[..., None], plan.protocol.clips_per_concept, axis=-1)


def demo_meta_info(plan: DemoPlan) -> dict[str, np.ndarray]:
    """SEED-DV's per-clip annotations for the demo, each of shape (n_blocks, clips_per_block).

    Keys follow SEED-DV's file names (``All_video_{key}.npy``), misspellings included.
    """
    colour_index = {name: index for index, name in enumerate(COLOURS)}
    speed = (
        _per_clip(plan, [_SPEED_WIDTHS_PER_S[s] for s in plan.concept_speed]) * plan.speed_factor
    )
    face = _per_clip(plan, [shape == "face" for shape in plan.concept_shape])
    meta = {
        "color": _per_clip(plan, [colour_index[c] for c in plan.concept_colour]),
        "optical_flow_score": speed * 512 / 24,
        "obj_number": plan.n_objects,
        "human_apperance": face,
        "face_apperance": face,
    }
    assert tuple(meta) == SEED_DV_META_INFO  # the demo writes exactly SEED-DV's files
    n_blocks = plan.protocol.n_blocks
    return {name: values.reshape(n_blocks, -1).astype(np.float64) for name, values in meta.items()}


def _direction_words(angle: float) -> str:
    # Image y grows downwards, so a positive sine moves down.
    names = (
        "right",
        "down and right",
        "down",
        "down and left",
        "left",
        "up and left",
        "up",
        "up and right",
    )
    return names[int(np.round(angle / (np.pi / 4))) % 8]


def demo_captions(plan: DemoPlan) -> list[list[str]]:
    """One caption per clip, per block, in presentation order."""
    captions = []
    for block in range(plan.protocol.n_blocks):
        lines = []
        for slot, concept_id in enumerate(plan.labels[block]):
            index = concept_id - 1
            for clip in range(plan.protocol.clips_per_concept):
                count = int(plan.n_objects[block, slot, clip])
                direction = _direction_words(plan.direction_rad[block, slot, clip])
                # The concept leads, at the same position in every caption, as in a caption
                # that names its subject first: a causal text encoder then gives all captions of
                # a concept the same leading token states.
                lines.append(
                    f"{plan.concept_colour[index]} {plan.concept_shape[index]}: "
                    f"{_NUMBER_WORDS[count - 1]} moving {plan.concept_speed[index]} {direction} "
                    f"on a dark background"
                )
        captions.append(lines)
    return captions


def _shaped_noise(
    rng: np.random.Generator, shape: tuple[int, ...], sfreq: float, gain
) -> np.ndarray:
    """Gaussian noise whose amplitude spectrum is ``gain(frequencies)``, unscaled."""
    n_times = shape[-1]
    spectrum = np.fft.rfft(rng.standard_normal(shape), axis=-1)
    spectrum *= gain(np.fft.rfftfreq(n_times, 1 / sfreq))
    return np.fft.irfft(spectrum, n=n_times, axis=-1)


def pink_noise(rng: np.random.Generator, shape: tuple[int, ...], sfreq: float) -> np.ndarray:
    """Noise with a 1/f power spectrum above 1 Hz, scaled to BACKGROUND_RMS_UV."""
    noise = _shaped_noise(rng, shape, sfreq, lambda f: 1 / np.sqrt(np.maximum(f, 1.0)))
    return noise * (BACKGROUND_RMS_UV / noise.std(axis=-1, keepdims=True))


def band_noise(rng: np.random.Generator, shape: tuple[int, ...], sfreq: float, band) -> np.ndarray:
    """Noise of unit RMS whose spectrum is flat inside ``band`` (Hz) and zero outside."""
    low, high = band
    noise = _shaped_noise(rng, shape, sfreq, lambda f: ((f >= low) & (f < high)).astype(float))
    return noise / noise.std(axis=-1, keepdims=True)


def concept_frequencies(n_concepts: int, *, seed: int) -> np.ndarray:
    """The planted oscillation frequency (Hz) of each concept id, shared by all subjects."""
    cycle = np.random.default_rng([seed, 1]).permutation(_SIGNAL_FREQUENCIES_HZ)
    return np.resize(cycle, n_concepts)


@verbose
def make_demo_eeg(
    plan: DemoPlan,
    n_channels: int,
    signal_channels: Sequence[int],
    *,
    subject: int,
    seed: int,
    signal_strength: float,
    verbose=None,
) -> np.ndarray:
    """Synthesise one subject's raw EEG with a planted concept signal.

    Parameters
    ----------
    plan : DemoPlan
        The presentation order the subject saw.
    n_channels : int
        Channels to write.
    signal_channels : sequence of int
        Indices of the channels that carry the concept signal.
    subject : int
        Subject number; seeds the noise and the topographies.
    seed : int
        Dataset seed.
    signal_strength : float
        Scale of the planted oscillation (peak ``SIGNAL_AMPLITUDE_UV`` µV at 1, over
        ``BACKGROUND_RMS_UV`` µV RMS background). 0 gives pure noise.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    eeg : ndarray of float32, shape (n_blocks, n_channels, block_samples)
        Microvolts, in SEED-DV's raw layout.
    """
    protocol = plan.protocol
    n_channels = ensure_positive_int(n_channels, "n_channels")
    if signal_strength < 0:
        raise ValueError(f"signal_strength must be >= 0, got {signal_strength!r}.")
    signal_channels = np.asarray(signal_channels, dtype=int)
    if (
        signal_channels.size == 0
        or signal_channels.min() < 0
        or signal_channels.max() >= n_channels
    ):
        raise ValueError(
            f"signal_channels must index 0..{n_channels - 1}, got {signal_channels.tolist()}."
        )

    rng = np.random.default_rng([seed, 2, subject])
    sfreq = protocol.sfreq
    shape = (protocol.n_blocks, n_channels, protocol.block_samples)
    eeg = pink_noise(rng, shape, sfreq)

    frequencies = concept_frequencies(protocol.n_concepts, seed=seed)
    # Each concept drives a random half of the signal channels strongly and the rest weakly.
    strong = (
        rng.random((protocol.n_concepts, signal_channels.size)).argsort(axis=1)
        < signal_channels.size / 2
    )
    topographies = np.where(strong, 1.0, 0.2)
    t = np.arange(protocol.clip_samples) / sfreq
    # A clip's oscillation fades in and out over 50 ms so it starts and ends without a step.
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.05)
    # Per clip: a random phase and a ±0.5 Hz frequency jitter, like a real rhythm.
    clip_shape = (protocol.n_blocks, protocol.n_concepts, protocol.clips_per_concept)
    phase = rng.uniform(0, 2 * np.pi, clip_shape)
    jitter = rng.uniform(-0.5, 0.5, clip_shape)
    frequency = frequencies[plan.labels - 1][..., None] + jitter
    waves = np.sin(2 * np.pi * frequency[..., None] * t + phase[..., None]) * ramp
    amplitude = signal_strength * SIGNAL_AMPLITUDE_UV * topographies[plan.labels - 1]
    # (block, slot, clip, time) × (block, slot, channel) → (block, channel, slot, clip, time)
    planted = np.einsum("bsrt,bsc->bcsrt", waves, amplitude)
    clip_region = eeg.reshape(*shape[:2], protocol.n_concepts, protocol.concept_samples)[
        ..., protocol.hint_samples :
    ]
    clip_region[..., signal_channels, :, :] += planted.reshape(*planted.shape[:3], -1)
    logger.info(
        "subject %d: %d blocks, planted %s Hz oscillations at strength %g on %d channels",
        subject,
        protocol.n_blocks,
        np.round(frequencies, 1).tolist(),
        signal_strength,
        signal_channels.size,
    )
    return eeg.astype(np.float32)


def _draw_shape(
    image: np.ndarray, shape: str, centre: tuple[int, int], radius: int, colour
) -> None:
    import cv2

    x, y = centre
    if shape == "circle":
        cv2.circle(image, centre, radius, colour, -1, cv2.LINE_AA)
    elif shape == "square":
        cv2.rectangle(image, (x - radius, y - radius), (x + radius, y + radius), colour, -1)
    elif shape == "triangle":
        points = np.array([[x, y - radius], [x - radius, y + radius], [x + radius, y + radius]])
        cv2.fillPoly(image, [points.astype(np.int32)], colour, cv2.LINE_AA)
    else:
        cv2.circle(image, centre, radius, colour, -1, cv2.LINE_AA)
        eye = max(1, radius // 5)
        dark = (20, 20, 20)
        cv2.circle(image, (x - radius // 3, y - radius // 4), eye, dark, -1)
        cv2.circle(image, (x + radius // 3, y - radius // 4), eye, dark, -1)
        cv2.ellipse(
            image,
            (x, y + radius // 6),
            (radius // 2, radius // 3),
            0,
            20,
            160,
            dark,
            max(1, eye // 2),
        )


def render_demo_block(
    plan: DemoPlan, block: int, *, width: int, height: int, fps: float
) -> Iterator[np.ndarray]:
    """Yield the RGB frames of one block's stimulus video.

    Parameters
    ----------
    plan : DemoPlan
        What to show.
    block : int
        Block number, 1-based.
    width, height : int
        Frame size in pixels.
    fps : float
        Frame rate; ``fps × hint_s`` and ``fps × clip_s`` must be whole frames.

    Yields
    ------
    frame : ndarray of uint8, shape (height, width, 3)
        RGB.
    """
    import cv2

    protocol = plan.protocol
    hint_frames = protocol.hint_s * fps
    clip_frames = protocol.clip_s * fps
    if hint_frames != round(hint_frames) or clip_frames != round(clip_frames):
        raise ValueError(
            f"fps = {fps!r} does not give whole frames for the {protocol.hint_s} s hint and "
            f"{protocol.clip_s} s clips."
        )
    hint_frames, clip_frames = round(hint_frames), round(clip_frames)
    radius = max(3, height // 4)
    for slot, concept_id in enumerate(plan.labels[block - 1]):
        index = concept_id - 1
        card = np.full((height, width, 3), 235, np.uint8)
        scale = height / 160
        cv2.putText(
            card,
            plan.concept_name(concept_id),
            (width // 10, height // 2),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (20, 20, 20),
            max(1, round(2 * scale)),
            cv2.LINE_AA,
        )
        for _ in range(hint_frames):
            yield card
        colour = COLOURS[plan.concept_colour[index]]
        speed = _SPEED_WIDTHS_PER_S[plan.concept_speed[index]] * width / fps
        for clip in range(protocol.clips_per_concept):
            angle = plan.direction_rad[block - 1, slot, clip]
            step = (
                speed
                * plan.speed_factor[block - 1, slot, clip]
                * np.array([np.cos(angle), np.sin(angle)])
            )
            count = int(plan.n_objects[block - 1, slot, clip])
            starts = [
                ((i + 1) * width / (count + 1), height / 2 + (i - (count - 1) / 2) * 2.5 * radius)
                for i in range(count)
            ]
            for frame_index in range(clip_frames):
                frame = np.full((height, width, 3), 25, np.uint8)
                for start in starts:
                    x, y = (np.asarray(start) + frame_index * step) % (width, height)
                    _draw_shape(frame, plan.concept_shape[index], (int(x), int(y)), radius, colour)
                yield frame


def write_demo_metadata(
    plan: DemoPlan,
    *,
    labels_path: str | Path,
    meta_info_paths: Mapping[str, str | Path],
    captions_paths: Sequence[str | Path],
) -> None:
    """Write the labels, the per-clip meta-info arrays and the caption files of the demo.

    Parameters
    ----------
    plan : DemoPlan
        The demo's content.
    labels_path : str | Path
        Destination of the (block, concept) concept ids, SEED-DV's ``All_video_label.npy``.
    meta_info_paths : dict of str to path
        Destination of each meta-info array, by SEED-DV name.
    captions_paths : sequence of path
        One caption file per block.
    """
    meta_info = demo_meta_info(plan)
    if set(meta_info_paths) != set(meta_info):
        raise ValueError(
            f"meta_info_paths must name {sorted(meta_info)}, got {sorted(meta_info_paths)}."
        )
    captions = demo_captions(plan)
    if len(captions_paths) != len(captions):
        raise ValueError(
            f"Expected {len(captions)} caption files (one per block), got {len(captions_paths)}."
        )
    arrays = {labels_path: plan.labels.astype(np.int64)}
    arrays.update({meta_info_paths[name]: values for name, values in meta_info.items()})
    for path, values in arrays.items():
        save_npy(path, values)
    for path, lines in zip(captions_paths, captions, strict=True):
        with atomic_path(path) as temporary:
            temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    logger.info(
        "wrote labels, %d meta-info arrays and %d caption files", len(meta_info), len(captions)
    )
