"""SingleWordProductionDutch's iBIDS layout, read as released (synthetic files in its names)."""

import numpy as np
import pytest

from eegdecode.artifacts import read_array, read_attrs
from eegdecode.datasets.paired_audio import (
    align_recording,
    load_audio,
    load_seeg,
    load_word_markers,
    read_participants_tsv,
    read_word_markers,
)
from eegdecode.fileio import write_tsv

from .ibids import AUDIO_SFREQ, SEEG_SFREQ, ieeg_path, write_ibids

pytest.importorskip("pynwb")


@pytest.fixture(scope="module")
def ibids(tmp_path_factory):
    return write_ibids(tmp_path_factory.mktemp("swpd") / "SingleWordProductionDutch-iBIDS",
                       {"sub-01": 1.0, "sub-02": 0.0}, seconds=20.0, n_channels=4)  # fmt: skip


def test_the_release_reads_as_published(ibids, caplog):
    from pynwb import NWBHDF5IO

    assert read_participants_tsv(ibids / "participants.tsv") == ["sub-01", "sub-02"]
    path = ieeg_path(ibids, "sub-01")
    with NWBHDF5IO(str(path), "r") as io:  # what the reference's extract_features.py reads
        acquisition = io.read().acquisition
        raw = acquisition["iEEG"].data[:]
        stimulus = np.array(acquisition["Stimulus"].data[:], dtype=str)
        audio = acquisition["Audio"].data[:]
    with caplog.at_level("INFO", logger="eegdecode"):
        seeg, sfreq, names = load_seeg(path)
    # Names from channels.tsv; the MISC marker channel is left out and listed.
    assert names == ["LA1", "LA2", "LA3", "LA4"] and sfreq == SEEG_SFREQ
    assert "MKR1 (misc)" in caplog.text
    np.testing.assert_allclose(seeg, raw[:, :4].T, rtol=1e-6)
    decoded, audio_sfreq = load_audio(path)
    assert audio_sfreq == AUDIO_SFREQ and np.abs(decoded).max() <= 1
    np.testing.assert_allclose(decoded, audio, atol=1e-6)  # already within ±1
    words = load_word_markers(path)
    runs = [w for i, w in enumerate(stimulus) if w and (i == 0 or stimulus[i - 1] != w)]
    assert words.words == runs and len(runs) >= 8
    start = np.flatnonzero(stimulus == runs[0])[0]
    stop = start + np.flatnonzero(stimulus[start:] != runs[0])[0]
    assert words.intervals[0] == pytest.approx([start / SEEG_SFREQ, stop / SEEG_SFREQ])


def test_the_aligned_recording_keeps_the_words_on_its_time_axis(ibids, tmp_path):
    path = ieeg_path(ibids, "sub-01")
    out = align_recording(tmp_path / "a.h5", path, path, words_path=path, audio_sfreq=22050)
    words, original = read_word_markers(out), load_word_markers(path)
    assert words.words == original.words
    np.testing.assert_allclose(words.intervals, original.intervals)
    assert read_array(out, "audio").data.shape[0] == 20 * 22050
    assert read_attrs(out)["channel_names"] == ["LA1", "LA2", "LA3", "LA4"]
    # After an offset, the words move with the sEEG; those cut off are dropped.
    shifted = original.shifted(original.intervals[1, 0] - 0.1, 10.0)
    assert shifted.words[0] == original.words[1] and shifted.intervals[0, 0] == pytest.approx(0.1)
    assert shifted.intervals[-1, 1] <= 10.0


def test_integer_audio_is_scaled_and_word_events_read_from_a_bids_tsv(tmp_path):
    from datetime import UTC, datetime

    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    nwb = NWBFile(session_description="x", identifier="x",
                  session_start_time=datetime(2022, 1, 1, tzinfo=UTC))  # fmt: skip
    samples = np.array([0, 16384, -32767], dtype=np.int16)
    nwb.add_acquisition(TimeSeries(name="Audio", data=samples, rate=48000.0, unit="a.u."))
    with NWBHDF5IO(str(tmp_path / "a.nwb"), "w") as io:
        io.write(nwb)
    audio, _ = load_audio(tmp_path / "a.nwb")
    np.testing.assert_allclose(audio, samples / 32767)
    with pytest.raises(ValueError, match=r"has no acquisition 'iEEG'.*'Audio'"):
        load_seeg(tmp_path / "a.nwb")
    events = tmp_path / "events.tsv"
    write_tsv(events, [{"onset": "1.5", "duration": "0.5", "trial_type": "huis"},
                       {"onset": "3", "duration": "1", "trial_type": "boom"}])  # fmt: skip
    words = load_word_markers(events)
    assert words.words == ["huis", "boom"]
    np.testing.assert_allclose(words.intervals, [[1.5, 2.0], [3.0, 4.0]])
    write_tsv(events, [{"onset": "3", "duration": "1", "trial_type": "b"},
                       {"onset": "1", "duration": "1", "trial_type": "a"}])  # fmt: skip
    with pytest.raises(ValueError, match="not in time order"):
        load_word_markers(events)
    write_tsv(events, [{"onset": "3", "duration": "1", "value": "b"}])
    with pytest.raises(ValueError, match=r"events.tsv must be a BIDS events.tsv with columns"):
        load_word_markers(events)
