import struct

import numpy as np
import pytest

from eegdecode.lsl.session import cut_phases
from eegdecode.lsl.xdf import import_xdf
from eegdecode.signal import FOCUS_CHANNELS


def _chunk(tag, content):
    body = struct.pack("<H", tag) + content
    return b"\x08" + struct.pack("<Q", len(body)) + body


def _stream_header(stream_id, name, kind, n_channels, sfreq, fmt, labels=()):
    channels = "".join(f"<channel><label>{label}</label></channel>" for label in labels)
    xml = (f"<?xml version='1.0'?><info><name>{name}</name><type>{kind}</type>"
           f"<channel_count>{n_channels}</channel_count><nominal_srate>{sfreq}</nominal_srate>"
           f"<channel_format>{fmt}</channel_format><source_id>{name}-1</source_id>"
           f"<desc><channels>{channels}</channels></desc></info>")  # fmt: skip
    return _chunk(2, struct.pack("<I", stream_id) + xml.encode())


def _samples(stream_id, times, values, fmt):
    content = struct.pack("<I", stream_id) + b"\x04" + struct.pack("<I", len(times))
    for when, row in zip(times, values, strict=True):
        content += b"\x08" + struct.pack("<d", when)
        if fmt == "string":
            for text in row:
                content += b"\x01" + bytes([len(text)]) + text.encode()
        else:
            content += np.asarray(row, dtype="<f4").tobytes()
    return _chunk(3, content)


def _write_xdf(path, eeg, times, markers):
    """A minimal LabRecorder file: an EEG stream and, given markers, the recorder's."""
    data = b"XDF:" + _chunk(1, b"<?xml version='1.0'?><info><version>1.0</version></info>")
    data += _stream_header(1, "headset", "EEG", len(eeg), 128, "float32", FOCUS_CHANNELS)
    data += _samples(1, times, eeg.T, "float32")
    if markers is not None:
        data += _stream_header(2, "eegdecode-markers", "Markers", 1, 0, "string")
        data += _samples(2, [t for t, _ in markers], [[m] for _, m in markers], "string")
    path.write_bytes(data)


def test_labrecorder_file_imports_as_a_session(tmp_path):
    times = 500.0 + np.arange(60 * 128) / 128
    eeg = np.random.default_rng(0).standard_normal((7, len(times))).astype(np.float32)
    eeg[3] = 10 * np.sin(2 * np.pi * 5 * times)
    markers = [(505.0, "focused/start"), (525.0, "focused/end"),
               (530.0, "unfocused/start"), (550.0, "unfocused/end")]  # fmt: skip
    _write_xdf(tmp_path / "rec.xdf", eeg, times, markers)
    session = import_xdf(tmp_path / "rec.xdf", user="dora", session="x1")
    assert session.channel_names == list(FOCUS_CHANNELS) and session.complete
    assert [(p.label, p.start_unix, p.end_unix) for p in session.phases] == [
        ("focused", 505.0, 525.0), ("unfocused", 530.0, 550.0)
    ]  # fmt: skip
    phases = cut_phases(session, ["focused", "unfocused"], target_sfreq=128)
    np.testing.assert_allclose(
        phases["unfocused"][0][3],
        10 * np.sin(2 * np.pi * 5 * (530.0 + np.arange(2560) / 128)),
        atol=1e-3,
    )
    session.save(tmp_path / "session.h5")


def test_xdf_without_the_marker_stream_is_refused(tmp_path):
    times = np.arange(128) / 128
    _write_xdf(tmp_path / "rec.xdf", np.zeros((7, 128), np.float32), times, None)
    with pytest.raises(ValueError, match="has no 'eegdecode-markers' stream"):
        import_xdf(tmp_path / "rec.xdf", user="dora", session="x1")
    (tmp_path / "bad.xdf").write_bytes(b"not an xdf file")
    with pytest.raises(ValueError, match=r"Cannot read .*bad\.xdf"):
        import_xdf(tmp_path / "bad.xdf", user="dora", session="x1")
