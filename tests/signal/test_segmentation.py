import numpy as np
import pytest

from eegdecode.datasets import Protocol
from eegdecode.signal import segment, sliding_windows


def _segment_by_loop(raw):
    """Spec §3.1, written out: start = 2600·c + 600 + 400·r, end = start + 400."""
    n_blocks, n_channels, _ = raw.shape
    n_concepts = raw.shape[2] // 2600
    clips = np.empty((n_blocks, n_concepts, 5, n_channels, 400))
    for b in range(n_blocks):
        for c in range(n_concepts):
            for r in range(5):
                start = 2600 * c + 600 + 400 * r
                clips[b, c, r] = raw[b, :, start : start + 400]
    return clips


def test_segment_matches_spec_loop(small_protocol, rng):
    raw = rng.standard_normal((2, 4, small_protocol.block_samples))
    clips = segment(raw, small_protocol)
    assert clips.shape == (2, 3, 5, 4, 400)
    assert clips.dtype == np.float32
    np.testing.assert_array_equal(clips, _segment_by_loop(raw).astype(np.float32))


def test_segment_drops_every_hint_sample(small_protocol):
    # Mark each sample with its index: no clip may contain a hint sample.
    n = small_protocol.block_samples
    raw = np.broadcast_to(np.arange(n, dtype=float), (2, 1, n)).copy()
    kept = segment(raw, small_protocol)[0, :, :, 0].ravel()
    in_hint = (kept % 2600) < 600
    assert not in_hint.any()
    assert kept.size == 3 * 5 * 400 and np.unique(kept).size == kept.size


@pytest.mark.slow
def test_segment_full_seed_dv_subject(seed_dv_protocol, rng):
    raw = rng.standard_normal((7, 62, 104000)).astype(np.float32)
    clips = segment(raw, seed_dv_protocol)
    assert clips.shape == (7, 40, 5, 62, 400)
    np.testing.assert_array_equal(clips, _segment_by_loop(raw))


def test_segment_rejects_wrong_length(small_protocol):
    with pytest.raises(ValueError, match=r"7800 samples \(3 concepts × \(3 s hint \+ 5 × 2 s"):
        segment(np.zeros((2, 4, 7799)), small_protocol)


def test_protocol_rejects_fractional_samples():
    with pytest.raises(ValueError, match=r"protocol.clip_s = 0.0025 s is 0.5 samples"):
        Protocol(
            sfreq=200.0, n_blocks=1, n_concepts=1, clips_per_concept=1, hint_s=0, clip_s=0.0025
        )


def test_protocol_from_config_names_unknown_keys():
    values = dict(sfreq=200.0, n_blocks=7, n_concepts=40, clips_per_concept=5, hint_s=3, clip_s=2)
    with pytest.raises(ValueError, match=r"Unknown dataset.protocol keys \['clip_len'\]"):
        Protocol.from_config({**values, "clip_len": 2})


def _windows_by_loop(clips, length, step):
    starts = range(0, clips.shape[-1] - length + 1, step)
    return np.stack([clips[..., s : s + length] for s in starts], axis=-3)


def test_sliding_windows_seed_dv_geometry(rng):
    clips = rng.standard_normal((2, 3, 5, 62, 400)).astype(np.float32)
    windows = sliding_windows(clips, 200.0, length_s=0.5, step_s=0.25)
    assert windows.shape == (2, 3, 5, 7, 62, 100)
    np.testing.assert_array_equal(windows, _windows_by_loop(clips, 100, 50))
    # window w starts 50·w samples into the clip
    np.testing.assert_array_equal(windows[..., 6, :, :], clips[..., 300:400])


def test_sliding_windows_drops_incomplete_tail(rng):
    clips = rng.standard_normal((4, 430))
    windows = sliding_windows(clips, 200.0, length_s=0.5, step_s=0.25)
    assert windows.shape == (7, 4, 100)


@pytest.mark.parametrize(
    ("length_s", "step_s", "match"),
    [
        (3.0, 0.25, "longer than the 400-sample"),
        (0.5, 0.0025, "step_s = 0.0025 s is 0.5 samples"),
        (-0.5, 0.25, "length_s must be a positive finite number"),
    ],
)
def test_sliding_windows_rejects_bad_geometry(length_s, step_s, match):
    with pytest.raises(ValueError, match=match):
        sliding_windows(np.zeros((2, 400)), 200.0, length_s=length_s, step_s=step_s)
