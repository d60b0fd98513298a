import json
import re
from pathlib import Path

import numpy as np
import pytest

from eegdecode.artifacts import AxisArray, write_artifact
from eegdecode.lsl.session import (
    CalibrationSession,
    ClockRelation,
    Phase,
    SessionCheck,
    check_session_files,
    cut_phases,
    dejitter,
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
    start = 1050.25 + 10  # 10 s into the recording
    phases = [Phase("countdown", start, start + 3), Phase("focused", start + 3, start + 43),
              Phase("countdown", start + 43, start + 46),
              Phase("unfocused", start + 46, start + 86)]  # fmt: skip
    return CalibrationSession(
        eeg=eeg, timestamps=times, sfreq=sfreq, channel_names=list(names), clock=clock,
        phases=phases, complete=True, user="alice", session="s1", stream={"name": "sim"},
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
    with pytest.raises(ValueError, match=r"s1.h5: phase 'unfocused' \(46.000–86.000 s after "
                       r"the session's start\) overlaps a gap in the stream: no samples "
                       r"59.996–61.000 s after"):  # fmt: skip
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
    with pytest.raises(
        ValueError, match=r"nan.h5 holds 3 NaN .* first in channel 3 \(P7\) at sample 100 of"
    ):
        CalibrationSession.load(path)
    short = _session()
    short.timestamps = short.timestamps[:-1]
    with pytest.raises(ValueError, match=r"short.h5 holds \d+ samples but \d+ timestamps"):
        CalibrationSession.load(short.save(tmp_path / "short.h5"))
    bad_clock = _session()
    bad_clock.timestamps[5] = np.inf
    with pytest.raises(ValueError, match=r"clock.h5 holds NaN or infinite timestamps"):
        CalibrationSession.load(bad_clock.save(tmp_path / "clock.h5"))


def test_session_files_are_checked_once_per_version_of_the_file(tmp_path, monkeypatch):
    good = str(_session().save(tmp_path / "good.h5"))
    interrupted = _session()
    interrupted.complete = False
    interrupted = str(interrupted.save(tmp_path / "interrupted.h5"))
    with_nan = _session()
    with_nan.eeg[4, 7] = np.inf
    with_nan = str(with_nan.save(tmp_path / "nan.h5"))
    cut = tmp_path / "cut.h5"
    cut.write_bytes(Path(good).read_bytes()[:5000])
    not_a_session = tmp_path / "other.h5"
    write_artifact(not_a_session, {"x": AxisArray(np.zeros(3), ("time",))}, producer="test")
    paths = [good, interrupted, with_nan, str(cut), str(not_a_session)]

    cache = tmp_path / "checks.json"
    checks = check_session_files(paths, cache, checker="v1")
    assert list(checks) == paths
    assert checks[good] == SessionCheck(complete=True)
    assert checks[interrupted] == SessionCheck(complete=False)
    assert re.match(rf"{with_nan} holds 1 NaN or infinite EEG samples, the first in channel 5 "
                    r"\(O2\) at sample 8 of", checks[with_nan].problem)  # fmt: skip
    assert checks[str(cut)].problem.startswith(f"{cut} cannot be read as HDF5 (")
    assert checks[str(not_a_session)].problem.startswith(f"{not_a_session} lacks the attributes")
    assert not any(checks[path].complete for path in paths[2:])

    loaded = []
    load = CalibrationSession.load.__func__
    monkeypatch.setattr(CalibrationSession, "load",
                        classmethod(lambda cls, path: loaded.append(path) or load(cls, path)))  # fmt: skip
    assert check_session_files(paths, cache, checker="v1") == checks and loaded == []
    repaired = _session()
    repaired.save(with_nan)  # the same name, new contents
    again = check_session_files(paths, cache, checker="v1")
    assert loaded == [with_nan] and again[with_nan] == SessionCheck(complete=True)
    check_session_files(paths, cache, checker="v2")  # changed checking code reads every file
    assert loaded == [with_nan, *paths]
    cache.write_text("{not json")
    assert check_session_files(paths, cache, checker="v2") == again
    assert set(json.loads(cache.read_text())) == set(paths)  # written anew


def _sender_stamps(n, sfreq, *, chunk=10, jitter_s=0.0015, seed=0, lost=()):
    """Timestamps as an LSL sender makes them: each chunk's last sample stamped on the sender's
    clock with jitter (normal, clipped to ±4 ms), the others back-filled at the nominal rate;
    ``lost`` (start, count) pairs of sample indices never arrive."""
    true = 20.0 + np.arange(n) / sfreq
    rng = np.random.default_rng(seed)
    stamps = true.copy()
    for end in range(chunk - 1, n, chunk):
        shift = np.clip(rng.normal(0, jitter_s), -0.004, 0.004)
        stamps[end - chunk + 1 : end + 1] += shift
    keep = np.ones(n, dtype=bool)
    for first, count in lost:
        keep[first : first + count] = False
    return true[keep], stamps[keep]


def test_jitter_without_loss_is_no_gap_and_is_smoothed_away():
    """The issue's case: at 1 kHz, intervals of over 5 ms and steps back of a few ms, no
    sample lost, over 10 minutes."""
    true, stamps = _sender_stamps(600_000, 1000.0)
    intervals = np.diff(stamps)
    assert intervals.max() > 0.005 and intervals.min() < -0.002  # what the recorder sees
    dejittered, breaks = dejitter(stamps, 1000.0)
    assert len(breaks) == 0
    assert np.all(np.diff(dejittered) > 0)
    assert np.max(np.abs(dejittered - true)) < 2e-4  # within a fifth of a sample period


def _lsl_deduced_stamps(n, sfreq, *, chunk=10, jitter_s=0.002, seed=0):
    """Timestamps as pylsl delivers a chunk pushed with one timestamp: the chunk's last sample
    carries it (jittered, clipped to ±2σ), each other sample its predecessor's plus one period,
    so a chunk inherits the previous one's jitter."""
    rng = np.random.default_rng(seed)
    stamps, previous = np.empty(n), 20.0 - 1 / sfreq
    for first in range(0, n, chunk):
        stamps[first : first + chunk - 1] = previous + np.arange(1, chunk) / sfreq
        previous = 20.0 + (first + chunk - 1) / sfreq
        previous += jitter_s * np.clip(rng.standard_normal(), -2, 2)
        stamps[first + chunk - 1] = previous
    return stamps


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_pylsl_deduced_timestamps_over_ten_minutes_make_no_gap(seed):
    """The benchmark's 64 × 1 kHz stream, modelled: intervals from −7 to 9 ms, none lost (seeds
    0, 1 and 5 once gave a false 1 ms "loss")."""
    stamps = _lsl_deduced_stamps(600_000, 1000.0, seed=seed)
    dejittered, breaks = dejitter(stamps, 1000.0)
    assert len(breaks) == 0 and np.all(np.diff(dejittered) > 0)
    assert np.max(np.abs(dejittered - (20.0 + np.arange(600_000) / 1000.0))) < 5e-4


def test_losses_are_found_from_the_sample_count_among_jitter():
    lost = [(100_000, 5), (200_000, 60), (400_000, 3000)]
    true, stamps = _sender_stamps(500_000, 1000.0, seed=1, lost=lost)
    dejittered, breaks = dejitter(stamps, 1000.0)
    # Sample i of the received stream follows the samples lost before it.
    expected = [first - 1 - sum(c for f, c in lost if f < first) for first, _ in lost]
    np.testing.assert_array_equal(breaks, expected)
    assert np.all(np.diff(dejittered) > 0)
    assert np.max(np.abs(dejittered - true)) < 2e-4
    gaps = find_gaps(dejittered, breaks, 1000.0, start=true[0] - 1.0, end=true[-1])
    np.testing.assert_allclose(gaps[1:, 1] - gaps[1:, 0], [0.006, 0.061, 3.001], atol=3e-4)
    assert gaps[0, 0] == true[0] - 1.0  # the protocol started 1 s before the first sample


def test_clock_drift_is_followed_not_reported():
    sfreq = 500.0
    stamps = 5.0 + np.arange(300_000) / (sfreq * (1 + 80e-6))  # 80 ppm fast: 48 ms in 10 min
    dejittered, breaks = dejitter(stamps, sfreq)
    assert len(breaks) == 0
    np.testing.assert_allclose(dejittered, stamps, atol=1e-9)


def test_a_jittered_complete_1khz_session_is_cut(tmp_path):
    """A 60 s-plus jittered-but-complete 1 kHz recording passes cutting; the file keeps the raw
    timestamps beside the de-jittered ones."""
    from eegdecode.lsl.simulate import simulate_session

    session = simulate_session("dora", "s1", [("focused", 40), ("countdown", 3),
                                              ("unfocused", 40)], sfreq=1000.0)  # fmt: skip
    n = len(session.timestamps)
    _, stamps = _sender_stamps(n, 1000.0, jitter_s=0.002, seed=3)
    raw = session.timestamps + (stamps - (20.0 + np.arange(n) / 1000.0))
    jittered = CalibrationSession(
        eeg=session.eeg, timestamps=raw, sfreq=1000.0, channel_names=session.channel_names,
        clock=session.clock, phases=session.phases, complete=True, user="dora", session="s1",
    )  # fmt: skip
    assert len(jittered.gaps) == 0 and np.diff(raw).min() < 0
    loaded = CalibrationSession.load(jittered.save(tmp_path / "session.h5"))
    np.testing.assert_array_equal(loaded.timestamps, raw)
    assert np.all(np.diff(loaded.dejittered_timestamps) > 0)
    phases = cut_phases(loaded, ["focused", "unfocused"], target_sfreq=128)
    assert [p.shape for p in phases["focused"] + phases["unfocused"]] == [(7, 5120)] * 2
    np.testing.assert_allclose(phases["focused"][0],
                               cut_phases(session, ["focused"], target_sfreq=128)["focused"][0],
                               atol=1e-3)  # fmt: skip


def test_an_interrupted_phase_is_kept_partial_and_left_out_of_training(tmp_path):
    session = _session()
    session.phases[-1] = Phase("unfocused", session.phases[-1].start_unix,
                               session.phases[-1].start_unix + 12.5, partial=True)  # fmt: skip
    session.complete = False
    loaded = CalibrationSession.load(session.save(tmp_path / "session.h5"))
    assert loaded.phases[-1].partial and not loaded.phases[1].partial
    assert loaded.phases[-1].end_unix - loaded.phases[-1].start_unix == pytest.approx(12.5)
    phases = cut_phases(loaded, ["focused", "unfocused"], target_sfreq=128)
    assert len(phases["focused"]) == 1 and phases["unfocused"] == []
