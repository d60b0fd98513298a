import base64
import re

import numpy as np

from eegdecode.fileio import save_wav
from eegdecode.report import plot_mel_comparison, write_media_page


def test_audio_page_embeds_each_wav_and_escapes_text(tmp_path):
    tone = 0.5 * np.sin(np.arange(2205) * 0.1)
    save_wav(tmp_path / "a.wav", tone, 22050)
    save_wav(tmp_path / "b.wav", -tone, 22050)
    page = write_media_page(
        tmp_path / "page.html", title="Participant <p1>", summary={"r": "0.5 (chance 0.1)"},
        columns=["recorded", "decoded"],
        rows=[("utterance 0", {"recorded": tmp_path / "a.wav", "decoded": tmp_path / "b.wav"}),
              ("utterance 1", {"recorded": tmp_path / "b.wav"})],
    )  # fmt: skip
    text = page.read_text()
    assert "Participant &lt;p1&gt;" in text and "<p1>" not in text
    embedded = re.findall(r'src="data:audio/wav;base64,([^"]+)"', text)
    assert len(embedded) == 3
    assert base64.b64decode(embedded[0]) == (tmp_path / "a.wav").read_bytes()
    assert base64.b64decode(embedded[1]) == (tmp_path / "b.wav").read_bytes()
    assert text.count("<td></td>") == 1  # utterance 1 has no decoded audio


def test_mel_comparison_draws_both_spectrograms_and_the_bins():
    mel = np.random.default_rng(0).standard_normal((200, 80))
    figure = plot_mel_comparison(mel, mel * 0.5, frame_rate=86.1, per_bin_r=np.ones(80) * 0.5,
                                 chance_95=0.2, title="p1")  # fmt: skip
    images = [axes.images[0].get_array() for axes in figure.axes[:2]]
    np.testing.assert_array_equal(images[0], mel.T)
    np.testing.assert_array_equal(images[1], 0.5 * mel.T)
    assert len(figure.axes[2].lines) == 3  # r per bin, chance, zero
    assert figure.get_supxlabel() == ""
    flagged = plot_mel_comparison(mel, mel, frame_rate=86.1, per_bin_r=np.ones(80),
                                  flagged=["ch6 (flat)"])  # fmt: skip
    assert flagged.get_supxlabel() == "Flagged channels: ch6 (flat)"
