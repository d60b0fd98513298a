import numpy as np
import pytest

from eegdecode.lsl.session import (
    CalibrationSession,
    ClockRelation,
    Phase,
    cut_phases,
    find_gaps,
    read_calibration_windows,
    write_calibration_windows,
)
from eegdecode.signal import FOCUS_CHANNELS


def test_clock_relation_applies_correction_then_conversion():
    clock = ClockRelation(
        correction=[[100.0, 0.5], [200.0, 0.7]],  # the sender's clock drifts 0.2 s in 100 s
        conversion=[[0.0, 1.7e9], [1000.0, 1.7e9 + 0.01]],
    )
    np.testing.assert_allclose(
        clock.to_unix([150.0]), [150.0 + 0.6 + 1.7e9 + 0.01 * 150.6 / 1000], atol=1e-6
    )
    with pytest.raises(ValueError, match="at least one correction"):
        ClockRelation(np.zeros((0, 2)), [[0, 0]])


def _session(sfreq=250.0, names=FOCUS_CHANNELS, drop=None):
    """Sender clock = LSL time; correction 0.25 s; conversion 1000 s."""
    n = int(100 * sfreq)
    times = 50.0 + np.arange(n) / sfreq
    eeg = np.random.default_rng(0).standard_normal((len(names), n)).astype(np.float32)
    eeg[0] = 10 * np.sin(2 * np.pi * 7 * times)  # a clock to read the cut from
    if drop is not None:
        keep = (times < drop[0]) | (times >= drop[1])
        times, eeg = times[keep], eeg[:, keep]
    clock = ClockRelation([[0.0, 0.25]], [[0.0, 1000.0]])
    unix = clock.to_unix(times)
    start = 1050.25 + 10  # 10 s into the recording
    phases = [Phase("countdown", start, start + 3), Phase("focused", start + 3, start + 43),
              Phase("countdown", start + 43, start + 46),
              Phase("unfocused", start + 46, start + 86)]  # fmt: skip
    return CalibrationSession(
        eeg=eeg, timestamps=times, sfreq=sfreq, channel_names=list(names), clock=clock,
        phases=phases, gaps=find_gaps(unix, sfreq, start=start, end=start + 86), complete=True,
        user="alice", session="s1", stream={"name": "sim"},
    )  # fmt: skip


def test_phases_are_cut_by_their_timestamps_and_resampled(tmp_path):
    session = _session()
    session = CalibrationSession.load(session.save(tmp_path / "session.h5"))
    assert session.stream == {"name": "sim"} and session.complete
    phases = cut_phases(session, ["focused", "unfocused"], target_sfreq=128)
    assert [d.shape for d in phases["focused"] + phases["unfocused"]] == [(7, 5120), (7, 5120)]
    # The focused phase starts at Unix 1063.25: LSL 1063.25 − 1000 − 0.25 = 63 s.
    expected = 10 * np.sin(2 * np.pi * 7 * (63.0 + np.arange(5120) / 128))
    middle = slice(100, 5000)  # away from the resampling filter's edges
    np.testing.assert_allclose(phases["focused"][0][0, middle], expected[middle], atol=0.05)
    write_calibration_windows(tmp_path / "windows.h5", phases, attrs={"user": "alice"})
    again = read_calibration_windows(tmp_path / "windows.h5")
    np.testing.assert_array_equal(again["unfocused"][0], phases["unfocused"][0])


def test_channels_are_picked_by_name_or_taken_first_when_unlabelled():
    names = ["Fp1", *reversed(FOCUS_CHANNELS), "A1"]
    session = _session(names=names)
    phases = cut_phases(session, ["focused"], target_sfreq=250)
    np.testing.assert_array_equal(phases["focused"][0][0], session.eeg[names.index("F7"),
                                                                       3250:13250])  # fmt: skip
    unlabelled = _session(names=[""] * 8)
    assert cut_phases(unlabelled, ["focused"], target_sfreq=128)["focused"][0].shape[0] == 7
    with pytest.raises(ValueError, match=r"lack the focus channels \['F4'\]"):
        cut_phases(_session(names=[*FOCUS_CHANNELS[:6], "AF4"]), ["focused"], target_sfreq=128)


def test_bad_sessions_are_rejected_naming_the_file():
    gap = _session(drop=(120.0, 121.0))  # inside the unfocused phase (LSL 106–146 s)
    assert len(gap.gaps) == 1 and gap.gaps[0, 1] - gap.gaps[0, 0] == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError, match=r"s1.h5: phase 'unfocused' .* overlaps a gap"):
        cut_phases(gap, ["unfocused"], target_sfreq=128, path="s1.h5")
    late = _session()
    late.phases[-1] = Phase("unfocused", 1150.0, 1190.0)
    with pytest.raises(ValueError, match="is not inside the recording"):
        cut_phases(late, ["unfocused"], target_sfreq=128, path="s1.h5")
    wrong_rate = _session()
    wrong_rate.sfreq = 256.0  # the stream claims a rate it does not have
    with pytest.raises(ValueError, match=r"holds 5000 samples at 128 Hz, expected 5120"):
        cut_phases(wrong_rate, ["focused"], target_sfreq=128, path="s1.h5")


def test_a_damaged_session_file_is_refused_naming_the_file_and_the_sample(tmp_path):
    names = [*FOCUS_CHANNELS, "A1"]
    with_nan = _session(names=names)
    with_nan.eeg[2, 99:102] = np.nan
    path = with_nan.save(tmp_path / "nan.h5")
    with pytest.raises(ValueError, match=r"nan.h5 holds 3 NaN .* first in P7 at sample 100 of"):
        CalibrationSession.load(path)
    short = _session()
    short.timestamps = short.timestamps[:-1]
    with pytest.raises(ValueError, match=r"short.h5 holds \d+ samples but \d+ timestamps"):
        CalibrationSession.load(short.save(tmp_path / "short.h5"))
    bad_clock = _session()
    bad_clock.timestamps[5] = np.inf
    with pytest.raises(ValueError, match=r"clock.h5 holds NaN or infinite timestamps"):
        CalibrationSession.load(bad_clock.save(tmp_path / "clock.h5"))
