import base64
import re

import numpy as np


def test_generation_page_shows_each_concepts_clip_beside_every_mode(tmp_path, rng):
    from eegdecode.report import write_generation_page
    from eegdecode.stimulus import write_gifs

    # Two concepts of two clips, shown in the order concept 2, concept 1.
    shown = write_gifs(rng.integers(0, 256, (4, 2, 8, 8, 3), dtype=np.uint8), tmp_path / "shown",
                       frames_per_s=3)  # fmt: skip
    for mode in ("full", "no_seq2seq"):
        write_gifs(rng.integers(0, 256, (4, 2, 8, 8, 3), dtype=np.uint8), tmp_path / mode,
                   frames_per_s=3)  # fmt: skip
    metrics = {"video_2way": {"mean": 0.75, "chance": 0.5}, "ssim": {"mean": 0.25}}
    page = write_generation_page(
        tmp_path / "page.html", shown=tmp_path / "shown",
        generated={"full": tmp_path / "full", "no_seq2seq": tmp_path / "no_seq2seq"},
        reports=[{"mode": "full", "metrics": metrics}, {"mode": "no_seq2seq", "metrics": metrics}],
        concept_labels=np.array([2, 1]), n_reps=2, title="Subject 1",
    )  # fmt: skip
    text = page.read_text()
    rows = re.findall(r"<tr><th>(concept \d, clip \d)</th>(.*?)</tr>", text)
    assert [label for label, _ in rows] == ["concept 1, clip 1", "concept 2, clip 1"]
    gifs = [re.findall(r'src="data:image/gif;base64,([^"]+)"', cells) for _, cells in rows]
    # Concept 1 was shown in slot 2 (clip 2 · 1 = 2.gif); generated clips are in class order.
    assert base64.b64decode(gifs[0][0]) == (tmp_path / "shown/2.gif").read_bytes()
    assert base64.b64decode(gifs[0][1]) == (tmp_path / "full/0.gif").read_bytes()
    assert base64.b64decode(gifs[1][2]) == (tmp_path / "no_seq2seq/2.gif").read_bytes()
    assert "<td>0.750</td><td>0.250</td>" in text and "<td>0.500</td><td></td>" in text
    assert shown.shape == (4, 2, 8, 8, 3)
