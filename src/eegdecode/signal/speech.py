"""Finding the utterances of a speech recording, so that decoded audio can be heard word by word."""

import numpy as np


def speech_segments(
    audio: np.ndarray,
    sfreq: float,
    *,
    threshold_db: float = -35.0,
    frame_s: float = 0.02,
    min_silence_s: float = 0.25,
    min_speech_s: float = 0.1,
    pad_s: float = 0.05,
) -> np.ndarray:
    """Spans of speech: where the short-time level stays within ``threshold_db`` of the loudest.

    Parameters
    ----------
    audio : ndarray, shape (n_samples,)
        Mono audio.
    sfreq : float
        Its rate in Hz.
    threshold_db : float
        Frames whose RMS lies more than this many dB below the loudest frame's are silence.
    frame_s : float
        Length of the non-overlapping frames whose RMS is measured.
    min_silence_s : float
        Shorter silences do not split an utterance.
    min_speech_s : float
        Shorter bursts of sound are dropped (clicks).
    pad_s : float
        Added before and after each utterance (within the recording), so that soft onsets and
        decays are kept.

    Returns
    -------
    segments : ndarray of int, shape (n_segments, 2)
        ``[start, stop)`` sample indices in time order, not overlapping.
    """
    audio = np.asarray(audio, dtype=np.float64)
    if audio.ndim != 1:
        raise ValueError(f"audio must be mono (n_samples,), got shape {audio.shape}.")
    frame = max(1, round(frame_s * sfreq))
    n_frames = len(audio) // frame
    if n_frames == 0:
        return np.zeros((0, 2), dtype=int)
    rms = np.sqrt(np.mean(audio[: n_frames * frame].reshape(n_frames, frame) ** 2, axis=1))
    if rms.max() == 0:
        return np.zeros((0, 2), dtype=int)
    active = 20 * np.log10(np.maximum(rms, 1e-12) / rms.max()) > threshold_db
    edges = np.diff(np.concatenate([[0], active.astype(int), [0]]))
    runs = np.stack([np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]], axis=1) * frame
    merged: list[list[int]] = []
    for start, stop in runs:
        if merged and start - merged[-1][1] < min_silence_s * sfreq:
            merged[-1][1] = stop
        else:
            merged.append([start, stop])
    pad = round(pad_s * sfreq)
    kept = [
        [max(0, start - pad), min(len(audio), stop + pad)]
        for start, stop in merged
        if stop - start >= min_speech_s * sfreq
    ]
    for index in range(len(kept) - 1, 0, -1):  # padding may make neighbours touch
        if kept[index][0] <= kept[index - 1][1]:
            kept[index - 1][1] = kept.pop(index)[1]
    return np.asarray(kept, dtype=int).reshape(-1, 2)
