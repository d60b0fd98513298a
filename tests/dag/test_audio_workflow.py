"""The sEEG → audio rules on the small demo: outputs and reruns (bad input and bad config:
tests/dag/test_bad_input.py)."""

import csv
import re

import numpy as np
import pytest
import soundfile

from eegdecode.artifacts import read_array, read_attrs

from .conftest import SMALL, output_mtimes, snakemake

# In one xdist worker with every test of the shared demo run (tests/dag/conftest.py), so
# that the run is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

AUDIO = "results/speech-demo"


def test_audio_outputs(demo_run):
    results = demo_run / AUDIO
    aligned = results / "aligned/p1.h5"
    assert read_array(aligned, "seeg", axes=("channel", "time")).data.shape == (8, 40 * 1024)
    assert read_array(aligned, "audio", axes=("time",)).data.shape == (40 * 22050,)
    assert read_attrs(aligned)["participant"] == "p1"
    predicted = read_array(results / "predictions/p1_mel.h5", "predicted").data
    target = read_array(results / "predictions/p1_mel.h5", "target").data
    assert predicted.shape == target.shape and predicted.shape[1:] == (35, 80)
    assert {p.name for p in (results / "models/audio_seq2seq/p1").glob("[!.]*")} == {
        "config.json", "model.safetensors", "normalization.json"
    }  # fmt: skip
    folder = results / "audio/p1"
    lengths = {soundfile.info(folder / f"{v}.wav").frames for v in ("recorded", "decoded")}
    assert len(lengths) == 1 and lengths.pop() > 1.5 * 22050  # 4 test windows of 0.4 s
    # The utterances are the demo's cued words inside the 4 test windows.
    utterances = list(csv.DictReader(open(folder / "utterances.csv")))
    assert len(utterances) >= 1 and all(row["word"] for row in utterances)
    assert len(list((folder / "utterances").glob("*.wav"))) == 3 * len(utterances)
    page = (results / "report/p1_audio.html").read_text()
    assert page.count("<audio") == 3 * len(utterances) and "waveglow" in page
    assert (demo_run / "results/pretrained/tiny-waveglow/waveglow.pt").is_file()
    rows = list(csv.DictReader(open(results / "evaluation/summary.csv")))
    decoders = ["seq2seq", "linear_baseline", "linear_baseline_cv"]
    assert [(row["participant"], row["decoder"]) for row in rows] == [
        (p, d) for p in ("p1", "p2") for d in decoders
    ]
    assert all(-1 <= float(row["pearson_r"]) <= 1 for row in rows)
    assert {p.name for p in (results / "models/linear_baseline/p1").glob("[!.]*")} == {
        "config.json", "model.safetensors", "normalization.json"
    }  # fmt: skip
    assert read_attrs(aligned)["words"]  # the demo's events.tsv
    assert (results / "qc/p1_mel.png").stat().st_size > 10_000


def test_changing_the_notches_reruns_the_decoder_but_not_the_mel(demo_copy):
    before = output_mtimes(demo_copy, AUDIO)
    override = demo_copy / "notches.yaml"
    override.write_text("audio:\n  highgamma:\n    notches: [50, 100]\n")
    snakemake(demo_copy, "audio_all", "--configfile", SMALL, override)
    changed = output_mtimes(demo_copy, AUDIO)
    rerun = {path for path in before if changed.get(path) != before[path]}
    assert any("features/p1_highgamma" in path for path in rerun)
    assert any("audio/p2/decoded.wav" in path for path in rerun)
    kept = [path for path in before if re.search(r"(features/p\d_mel\.h5$|/aligned/|/raw/)", path)]
    assert kept and not rerun & set(kept)


def test_stereo_audio_is_averaged(demo_copy):
    path = demo_copy / AUDIO / "raw/p1/audio.wav"
    audio, sfreq = soundfile.read(path, dtype="float32")
    soundfile.write(path, np.stack([audio, audio], axis=1), sfreq)
    snakemake(demo_copy, AUDIO + "/aligned/p1.h5", "--configfile", SMALL)
    aligned = read_array(demo_copy / AUDIO / "aligned/p1.h5", "audio").data
    np.testing.assert_allclose(aligned, audio, atol=1e-4)


def test_report_lets_a_reader_play_the_audio(demo_copy):
    import zipfile

    snakemake(demo_copy, "audio_all", "--configfile", SMALL, "--report", "report.zip")
    archive = zipfile.ZipFile(demo_copy / "report.zip")
    pages = [name for name in archive.namelist() if name.endswith("_audio.html")]
    assert len(pages) == 2
    assert b"<audio controls" in archive.read(pages[0])
    assert any(name.endswith("summary.csv") for name in archive.namelist())
