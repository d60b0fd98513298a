import numpy as np
import pytest

from eegdecode.signal import channel_problems, check_channels

NAMES = ["Fp1", "Fp2", "O1", "O2"]


def _recording(seed=0):
    return np.random.default_rng(seed).standard_normal((3, 4, 2000))  # (block, channel, time)


def test_flat_and_saturated_channels_are_told_apart_from_live_ones():
    data = _recording()
    assert channel_problems(data, NAMES) == {}
    data[:, 1] = 0.0  # disconnected: all zeros
    data[:, 3] = np.clip(data[:, 3], -1.5, 1.5)  # an amplifier at its rails
    problems = channel_problems(data, NAMES)
    assert list(problems) == ["Fp2", "O2"] and problems["Fp2"] == "flat"
    # About 6.7 % of a normal's samples lie beyond ±1.5 on each side.
    assert (
        problems["O2"].startswith("saturated: 6.") and "% of samples at its limit" in problems["O2"]
    )
    nearly = _recording(1)
    nearly[:, 0] = 1e-9 * nearly[:, 0] + 5.0  # a constant offset with rounding noise
    assert channel_problems(nearly, NAMES) == {"Fp1": "flat"}


def test_check_channels_warns_or_stops_naming_the_file(caplog):
    data = _recording()
    data[:, 2] = 0.0
    with caplog.at_level("WARNING", logger="eegdecode"):
        assert check_channels(data, NAMES, source="sub1.npy") == ["O1 (flat)"]
    assert "sub1.npy: 1 channel(s) look broken: O1 (flat)" in caplog.text
    with pytest.raises(ValueError, match=r"sub1.npy: 1 channel\(s\) look broken: O1 \(flat\)\. "
                                         r".*features.on_flat_channel: warn"):  # fmt: skip
        check_channels(data, NAMES, source="sub1.npy", on_flat_channel="error")
    with pytest.raises(ValueError, match=r"'features\.on_flat_channel'"):
        check_channels(data, NAMES, source="sub1.npy", on_flat_channel="ignore")
    with pytest.raises(ValueError, match=r"must be \(..., n_channels, n_times\) with 4 channels"):
        channel_problems(data[:, :3], NAMES)
