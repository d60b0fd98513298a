"""``config/singlewordproduction.yaml`` on a synthetic SingleWordProductionDutch release written
in its iBIDS layout (tests/datasets/ibids.py): sub-01's sEEG encodes its speech, sub-02's does
not (a null participant, whose marker channel carries the word cues and must be left out)."""

import csv

import pytest

from ..datasets.ibids import write_ibids
from .conftest import REPO, make_workdir, snakemake

pytest.importorskip("pynwb")
pytestmark = pytest.mark.slow

# Small decoders and few shuffles, so that the two participants take about a minute.
SMALL = """
audio:
  root: SingleWordProductionDutch-iBIDS
  model: {hidden: 16, encoder_layers: 1, prenet_dim: 16, postnet_channels: 16}
  training: {epochs: 3, milestones: [2], batch_size: 64, lr: 0.004}
  windows: {hop_s: 0.1}
  vocoder: {griffin_lim_iter: 4}
  evaluate: {n_shuffles: 100}
"""


@pytest.fixture(scope="module")
def swpd_run(tmp_path_factory):
    workdir = make_workdir(tmp_path_factory.mktemp("swpd") / "work")
    write_ibids(workdir / "SingleWordProductionDutch-iBIDS", {"sub-01": 1.0, "sub-02": 0.0},
                seconds=80.0, n_channels=48)  # fmt: skip
    (workdir / "small.yaml").write_text(SMALL)
    preset = REPO / "config/singlewordproduction.yaml"
    snakemake(workdir, "audio_all", "--configfile", preset, workdir / "small.yaml")
    return workdir


def _summary(workdir):
    with open(workdir / "results/singlewordproduction/evaluation/summary.csv") as handle:
        return {(row["participant"], row["decoder"]): row for row in csv.DictReader(handle)}


def test_the_release_runs_through_audio_all_with_every_decoder_beside_chance(swpd_run):
    rows = _summary(swpd_run)
    decoders = ["seq2seq", "linear_baseline", "linear_baseline_cv"]
    assert set(rows) == {(p, d) for p in ("sub-01", "sub-02") for d in decoders}
    for row in rows.values():
        for column in ("pearson_r", "mcd_db", "word_accuracy"):
            assert row[column] and row[f"{column}_chance"], (column, row)
    results = swpd_run / "results/singlewordproduction"
    # The cued words are the test utterances; the marker channel was left out.
    with open(results / "audio/sub-01/utterances.csv") as handle:
        assert all(row["word"] for row in csv.DictReader(handle))
    log = (swpd_run / "logs/align_recording/singlewordproduction/sub-02.log").read_text()
    assert "leaving out 1 channels: MKR1 (misc)" in log
    assert "linear_baseline" in (results / "report/sub-01_audio.html").read_text()


def test_the_planted_participant_beats_chance_and_the_null_one_does_not(swpd_run):
    rows = _summary(swpd_run)

    def value(participant, decoder, column):
        return float(rows[(participant, decoder)][column])

    # The null participant's values are chance draws: within a margin of the 95th percentile
    # (the test asserts six of each), where the planted one is far beyond it.
    for decoder in ("seq2seq", "linear_baseline", "linear_baseline_cv"):
        planted = value("sub-01", decoder, "pearson_r")
        assert planted > value("sub-01", decoder, "pearson_r_chance_95") + 0.1, decoder
        if decoder != "seq2seq":  # three epochs shape the seq2seq's mel, not yet its detail
            assert value("sub-01", decoder, "mcd_db") < value("sub-01", decoder, "mcd_db_chance")
        null = value("sub-02", decoder, "pearson_r")
        assert null < value("sub-02", decoder, "pearson_r_chance_95") + 0.05, decoder
        assert (
            abs(value("sub-02", decoder, "mcd_db") - value("sub-02", decoder, "mcd_db_chance")) < 1
        )
        null_words = value("sub-02", decoder, "word_accuracy")
        assert null_words < 2 * value("sub-02", decoder, "word_accuracy_chance_95"), decoder
    # Word identification over the whole recording (about 55 words) is clearly above chance.
    assert value("sub-01", "linear_baseline_cv", "word_accuracy") > 1.5 * value(
        "sub-01", "linear_baseline_cv", "word_accuracy_chance_95"
    )
