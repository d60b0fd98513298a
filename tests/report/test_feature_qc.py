import numpy as np
import pytest

from eegdecode.datasets import SEED_DV_CHANNELS
from eegdecode.report import plot_feature_qc, save_figure, standard_positions

ALIASES = {"CB1": "I1", "CB2": "I2"}


def test_positions_use_aliases_for_cerebellar_channels():
    montage = standard_positions(SEED_DV_CHANNELS, "colin27_1005", ALIASES)
    positions = montage.get_positions()["ch_pos"]
    assert list(positions) == SEED_DV_CHANNELS
    reference = standard_positions(["I1", "O1"], "colin27_1005").get_positions()["ch_pos"]
    np.testing.assert_array_equal(positions["CB1"], reference["I1"])
    assert positions["CB1"][2] < reference["O1"][2]  # below O1


def test_positions_name_what_is_missing():
    with pytest.raises(ValueError, match=r"no position for channels \['CB1', 'CB2'\]; map them"):
        standard_positions(SEED_DV_CHANNELS, "colin27_1005")
    with pytest.raises(ValueError, match="Unknown montage 'standard_1066'"):
        standard_positions(SEED_DV_CHANNELS, "standard_1066", ALIASES)


def test_feature_qc_figure(tmp_path, rng):
    labels = np.array([[2, 1, 3], [3, 2, 1]])
    clips = rng.standard_normal((2, 3, 2, 62, 400))
    de = rng.standard_normal((2, 3, 2, 62, 5))
    figure = plot_feature_qc(
        de,
        clips,
        labels,
        200.0,
        channel_names=SEED_DV_CHANNELS,
        band_names=["delta", "theta", "alpha", "beta", "gamma"],
        occipital=SEED_DV_CHANNELS[50:],
        montage="colin27_1005",
        montage_aliases=ALIASES,
        title="t",
        flagged=["O1 (flat)"],
    )
    assert figure.get_supxlabel() == "Flagged channels: O1 (flat)"
    # The flagged channel is crossed on each scalp map (MNE draws the mask as one marker).
    maps = [axes for axes in figure.get_axes() if axes.get_title().endswith(" DE")]
    assert all(any(line.get_marker() == "x" for line in axes.get_lines()) for axes in maps)
    titles = [axes.get_title() for axes in figure.get_axes()]
    assert [t for t in titles if t.endswith(" DE")] == [
        "delta DE",
        "theta DE",
        "alpha DE",
        "beta DE",
        "gamma DE",
    ]
    spectra = next(axes for axes in figure.get_axes() if axes.get_title().startswith("Welch"))
    assert [line.get_label() for line in spectra.get_lines()] == [
        "concept 1",
        "concept 2",
        "concept 3",
    ]
    path = save_figure(figure, tmp_path / "qc.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_feature_qc_rejects_mismatched_inputs(rng):
    with pytest.raises(ValueError, match=r"must share \(block, concept, rep, channel\)"):
        plot_feature_qc(
            np.zeros((2, 3, 2, 62, 5)),
            np.zeros((2, 3, 5, 62, 400)),
            np.ones((2, 3), int),
            200.0,
            channel_names=SEED_DV_CHANNELS,
            band_names="abcde",
            occipital=["O1"],
            montage="colin27_1005",
        )
