"""Ground-truth frames and GIFs cut from the stimulus videos (EEG2Video's ``extract_gif.py``).

Each block video shows, per concept, a hint and then the clips. Frames are numbered in the
protocol's frame rate (``dataset.protocol.video_fps``), as the official code numbers them: frame
``k = 0 … clip_s·frames_per_s − 1`` of clip ``j`` of concept slot ``i`` is frame
``i·(hint + n_clips·clip) + hint + j·clip + k·stride``, with the hint and the clip in frames
and ``stride = video_fps / frames_per_s``. For SEED-DV (24 fps, 3 s hints, 2 s clips, 3 frames
per second) that is frame ``312·i + 72 + 48·j + 8·k``, six frames per clip (spec §3.5). A video
whose container reports another frame rate is refused, or, when asked, its frames are picked by
time (``round(t · fps)`` at the container's rate).
"""

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from .._logging import logger, verbose
from .._validation import ensure_positive_float, ensure_positive_int, samples
from ..fileio import atomic_path
from ..protocol import Protocol

# A video may run this much longer than the protocol before its frame count is taken to
# disagree with its frame rate (encoders pad the last GOP by a frame or two).
_SPARE_FRAMES_S = 1.0


def clip_frame_indices(
    protocol: Protocol, frames_per_s: float, *, video_fps: float | None = None
) -> np.ndarray:
    """Video frame numbers of the kept frames of every clip of a block.

    Parameters
    ----------
    protocol : Protocol
        The presentation timing, with ``video_fps``.
    frames_per_s : float
        Frames kept per second of clip (3 in EEG2Video: 6 frames per 2 s clip); must divide
        ``protocol.video_fps``.
    video_fps : float | None
        None numbers frames in ``protocol.video_fps``, exactly. A rate of another video picks
        the frame nearest in time, ``round(t · video_fps)`` (resampling by time).

    Returns
    -------
    indices : ndarray of int, shape (n_concepts, clips_per_concept, n_frames)
        0-based frame numbers, presentation order.
    """
    if protocol.video_fps is None:
        raise ValueError("The protocol has no video_fps (dataset.protocol.video_fps).")
    frames_per_s = ensure_positive_float(frames_per_s, "frames_per_s")
    n_frames = protocol.clip_s * frames_per_s
    if abs(n_frames - round(n_frames)) > 1e-9 or round(n_frames) < 1:
        raise ValueError(
            f"frames_per_s = {frames_per_s:g} does not give a whole number of frames per "
            f"{protocol.clip_s} s clip."
        )
    if frames_per_s > protocol.video_fps:
        raise ValueError(
            f"frames_per_s = {frames_per_s:g} exceeds the video's {protocol.video_fps:g} fps."
        )
    concept = np.arange(protocol.n_concepts)[:, None, None]
    clip = np.arange(protocol.clips_per_concept)[None, :, None]
    frame = np.arange(round(n_frames))[None, None, :]
    if video_fps is not None:
        video_fps = ensure_positive_float(video_fps, "video_fps")
        concept_s = protocol.hint_s + protocol.clips_per_concept * protocol.clip_s
        seconds = (
            concept * concept_s + protocol.hint_s + clip * protocol.clip_s + frame / frames_per_s
        )
        return np.round(seconds * video_fps).astype(np.int64)
    stride = protocol.video_fps / frames_per_s
    if abs(stride - round(stride)) > 1e-9:
        raise ValueError(
            f"frames_per_s = {frames_per_s:g} does not divide the video's "
            f"{protocol.video_fps:g} fps, so its frames are not whole frame numbers apart."
        )
    hint = samples(protocol.hint_s, protocol.video_fps, "protocol.hint_s", unit="frames")
    clip_frames = samples(protocol.clip_s, protocol.video_fps, "protocol.clip_s", unit="frames")
    concept_frames = hint + protocol.clips_per_concept * clip_frames
    return (concept * concept_frames + hint + clip * clip_frames + frame * round(stride)).astype(
        np.int64
    )


def _open_video(path: Path):
    import cv2

    if not path.is_file():
        raise FileNotFoundError(f"Stimulus video {str(path)!r} does not exist.")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise ValueError(
            f"Stimulus video {str(path)!r} could not be opened by OpenCV (corrupt, or an "
            f"unknown codec?)."
        )
    return capture


@verbose
def read_clip_frames(
    path: str | Path,
    protocol: Protocol,
    *,
    frames_per_s: float,
    width: int,
    height: int,
    resample_by_time: bool = False,
    verbose=None,
) -> np.ndarray:
    """Decode a block video and keep the frames of every clip, resized.

    Parameters
    ----------
    path : str | Path
        The block's stimulus video.
    protocol : Protocol
        The presentation timing the video follows, with its ``video_fps``.
    frames_per_s : float
        Frames kept per second of clip.
    width, height : int
        Output frame size in pixels (512 × 288 in EEG2Video); bilinear resizing.
    resample_by_time : bool
        A video whose container reports a frame rate other than ``protocol.video_fps`` is
        refused (its frame numbers would drift from the protocol's: at 23.976 instead of 24 fps
        by 12 frames over a SEED-DV block). True picks its frames by time instead.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    frames : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
        RGB; clips in presentation order (clip ``clips_per_concept·i + j``).
    """
    import cv2

    path = Path(path)
    width = ensure_positive_int(width, "width")
    height = ensure_positive_int(height, "height")
    capture = _open_video(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS)
        declared = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        if not fps > 0:
            raise ValueError(f"Stimulus video {str(path)!r} does not declare a frame rate.")
        if protocol.video_fps is None:
            raise ValueError("The protocol has no video_fps (dataset.protocol.video_fps).")
        if abs(fps - protocol.video_fps) > 1e-6 * protocol.video_fps:
            if not resample_by_time:
                raise ValueError(
                    f"Stimulus video {str(path)!r} runs at {fps:g} fps, but "
                    f"dataset.protocol.video_fps is {protocol.video_fps:g}: its frames would be "
                    f"numbered at the wrong rate. Re-encode it at {protocol.video_fps:g} fps, or "
                    f"set stimulus.frames.resample_by_time: true to pick its frames by time."
                )
            logger.warning(
                "%s runs at %g fps, not the protocol's %g: picking frames by time", path, fps,
                protocol.video_fps,
            )  # fmt: skip
        else:
            fps = protocol.video_fps
        block_s = protocol.block_samples / protocol.sfreq
        expected = round(block_s * fps)
        if declared < expected:
            raise ValueError(
                f"Stimulus video {str(path)!r} is too short for the protocol: {declared} frames "
                f"at {fps:g} fps is {declared / fps:.2f} s, a block lasts {block_s:g} s "
                f"({expected} frames)."
            )
        if declared > expected + _SPARE_FRAMES_S * fps:
            raise ValueError(
                f"Stimulus video {str(path)!r} has {declared} frames, which at its {fps:g} fps is "
                f"{declared / fps:.2f} s, but a block lasts {block_s:g} s ({expected} frames): "
                f"its frame count disagrees with its frame rate or with dataset.protocol."
            )
        indices = clip_frame_indices(
            protocol, frames_per_s, video_fps=fps if resample_by_time else None
        )
        wanted = {int(i): position for position, i in enumerate(indices.ravel())}
        kept = np.empty((indices.size, height, width, 3), np.uint8)
        found = 0
        # Decoding in order and keeping what is needed is exact; seeking in MPEG-4 is not.
        for number in range(int(indices.max()) + 1):
            ok, frame = capture.read()
            if not ok:
                raise ValueError(
                    f"Stimulus video {str(path)!r} declares {declared} frames but decoding "
                    f"stopped at frame {number} (truncated or corrupt?)."
                )
            if number in wanted:
                resized = cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)
                kept[wanted[number]] = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
                found += 1
    finally:
        capture.release()
    logger.info(
        "%s: %g fps, %d frames; kept %d frames per clip at %g per second, resized to %d × %d",
        path, fps, declared, indices.shape[-1], frames_per_s, width, height,
    )  # fmt: skip
    return kept.reshape(protocol.clips_per_block, indices.shape[-1], height, width, 3)


def write_gifs(
    frames: np.ndarray, folder: str | Path, *, frames_per_s: float, mp4: bool = False
) -> np.ndarray:
    """Write one GIF per clip, ``{folder}/{k}.gif`` for k = 0, 1, …, and return what they show.

    GIF stores at most 256 colours per frame, so the returned frames (decoded back from the
    files) are the ground truth every later stage uses: they equal the GIFs exactly.

    Parameters
    ----------
    frames : ndarray of uint8, shape (n_clips, n_frames, height, width, 3)
        RGB frames.
    folder : str | Path
        Destination folder; written whole or not at all.
    frames_per_s : float
        Playback rate (frame duration ``1 / frames_per_s`` s).
    mp4 : bool
        Also write each clip as ``{k}.mp4`` (full colour; GIF keeps 256 colours per frame).

    Returns
    -------
    shown : ndarray of uint8, same shape as ``frames``
        The frames as the GIFs hold them.
    """
    import imageio.v3 as iio

    if frames.ndim != 5 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(
            "frames must be uint8 (clip, frame, height, width, 3), "
            f"got {frames.dtype} {frames.shape}."
        )
    shown = np.empty_like(frames)
    n_frames = frames.shape[1]
    duration_ms = 1000.0 / ensure_positive_float(frames_per_s, "frames_per_s")
    with atomic_path(folder) as temporary:
        temporary.mkdir()
        for clip, clip_frames in enumerate(frames):
            path = temporary / f"{clip}.gif"
            iio.imwrite(path, clip_frames, duration=duration_ms, loop=0)
            back = read_gif(path, frames_per_s=frames_per_s)
            if len(back) != n_frames:
                raise RuntimeError(f"{path.name} reads back as {len(back)} frames, not {n_frames}.")
            shown[clip] = back
            if mp4:
                write_video(
                    temporary / f"{clip}.mp4", iter(clip_frames), fps=frames_per_s,
                    width=frames.shape[3], height=frames.shape[2],
                )  # fmt: skip
    return shown


def read_gif(path: str | Path, *, frames_per_s: float) -> np.ndarray:
    """The frames of a GIF on its timeline, sampled at ``frames_per_s``, as RGB.

    GIF writers merge identical consecutive frames into one longer frame (a still clip becomes
    a single frame shown for 2 s), so each stored frame is repeated for as many frame intervals
    as it lasts. Durations are in hundredths of a second, as GIF stores them.

    Parameters
    ----------
    path : str | Path
        A GIF.
    frames_per_s : float
        The rate the GIF was written at (3 for EEG2Video's GIFs).

    Returns
    -------
    frames : ndarray of uint8, shape (n_frames, height, width, 3)
    """
    from PIL import Image, ImageSequence

    interval_ms = 10 * round(100 / ensure_positive_float(frames_per_s, "frames_per_s"))
    frames = []
    with Image.open(path) as gif:
        for frame in ImageSequence.Iterator(gif):
            repeats = max(1, round(frame.info.get("duration", interval_ms) / interval_ms))
            frames.extend([np.asarray(frame.convert("RGB"))] * repeats)
    return np.stack(frames)


def concept_strips(frames: np.ndarray, clips_per_concept: int) -> Sequence[np.ndarray]:
    """The frames of each concept's first clip side by side.

    Returns one array of shape (height, width · n_frames, 3) per concept slot.
    """
    first_clips = frames[::clips_per_concept]
    return [np.concatenate(list(clip), axis=1) for clip in first_clips]


def write_video(
    path: str | Path, frames: Iterator[np.ndarray], *, fps: float, width: int, height: int
) -> int:
    """Encode RGB frames as an MPEG-4 video, atomically; returns the number of frames written."""
    import cv2

    count = 0
    with atomic_path(path) as temporary:
        writer = cv2.VideoWriter(
            str(temporary), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height)
        )
        if not writer.isOpened():
            raise RuntimeError(f"OpenCV could not open an MPEG-4 writer for {str(path)!r}.")
        try:
            for frame in frames:
                writer.write(np.ascontiguousarray(frame[..., ::-1]))  # OpenCV writes BGR
                count += 1
        finally:
            writer.release()
    logger.info("wrote %d frames of %d × %d at %g fps to %s", count, width, height, fps, path)
    return count
