import logging

import numpy as np
import pytest

from eegdecode.stimulus import (
    build_tiny_stable_diffusion,
    embed_captions,
    load_text_encoder,
    read_captions,
)

CAPTIONS = ["one red circle moving fast left", "two blue squares moving slowly up", "a face"]


def test_embeddings_shape_and_padding(tiny_sd):
    tokenizer, encoder = load_text_encoder(tiny_sd)
    ids, embeddings = embed_captions(CAPTIONS, tokenizer, encoder)
    assert ids.shape == (3, 77) and ids.dtype == np.int64
    assert (
        embeddings.shape == (3, 77, encoder.config.hidden_size) and embeddings.dtype == np.float32
    )
    assert (ids[2, 10:] == tokenizer.pad_token_id).all()
    # Padding does not change a caption's own tokens' states: batching is invisible.
    _, alone = embed_captions(CAPTIONS[:1], tokenizer, encoder)
    np.testing.assert_allclose(alone[0], embeddings[0], rtol=1e-5, atol=1e-6)


def test_rebuilt_and_reloaded_encoder_gives_identical_embeddings(tiny_sd, tmp_path):
    again = build_tiny_stable_diffusion(tmp_path / "sd", seed=0)
    first = embed_captions(CAPTIONS, *load_text_encoder(tiny_sd))[1]
    np.testing.assert_array_equal(first, embed_captions(CAPTIONS, *load_text_encoder(again))[1])
    other = build_tiny_stable_diffusion(tmp_path / "other", seed=1)
    assert not np.allclose(first, embed_captions(CAPTIONS, *load_text_encoder(other))[1])


def test_long_captions_are_truncated_with_a_warning(tiny_sd, caplog):
    tokenizer, encoder = load_text_encoder(tiny_sd)
    with caplog.at_level(logging.WARNING, logger="eegdecode"):
        ids, _ = embed_captions(["x" * 200], tokenizer, encoder)
    assert ids.shape == (1, 77)
    assert "1 captions are longer than 77 tokens and were truncated" in caplog.text


def test_read_captions(tmp_path):
    path = tmp_path / "1st_10min.txt"
    path.write_text("\n".join(CAPTIONS) + "\n")
    assert read_captions(path, 3) == CAPTIONS
    with pytest.raises(
        ValueError, match=r"1st_10min.txt' has 3 lines, expected 200 \(one caption per clip"
    ):
        read_captions(path, 200)
    path.write_text("a\n\nb\n")
    with pytest.raises(ValueError, match=r"has empty captions on lines \[2\]"):
        read_captions(path, 3)
    with pytest.raises(FileNotFoundError, match=r"Caption file '.*2nd_10min.txt' does not exist"):
        read_captions(tmp_path / "2nd_10min.txt", 3)
