"""Caption text embeddings from the CLIP text encoder (spec §3.7)."""

from pathlib import Path

import numpy as np

from .._logging import logger, verbose
from .._validation import ensure_positive_int


def read_captions(path: str | Path, n_captions: int) -> list[str]:
    """Read one caption per line and check that there is one per clip.

    Parameters
    ----------
    path : str | Path
        A caption file (SEED-DV: ``Video/BLIP-caption/{block}_10min.txt``).
    n_captions : int
        Clips in the block (200 for SEED-DV).

    Returns
    -------
    captions : list of str
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Caption file {str(path)!r} does not exist.")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise ValueError(f"Caption file {str(path)!r} is not UTF-8 text: {error}") from error
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing newline is not a caption
    if len(lines) != n_captions:
        raise ValueError(
            f"Caption file {str(path)!r} has {len(lines)} lines, expected {n_captions} "
            f"(one caption per clip: n_concepts × clips_per_concept)."
        )
    empty = [number for number, line in enumerate(lines, start=1) if not line.strip()]
    if empty:
        raise ValueError(f"Caption file {str(path)!r} has empty captions on lines {empty[:10]}.")
    return [line.strip() for line in lines]


@verbose
def embed_captions(
    captions: list[str],
    tokenizer,
    text_encoder,
    *,
    max_length: int = 77,
    batch_size: int = 32,
    verbose=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Tokenise captions (padded and truncated to ``max_length``) and take the last hidden state.

    Parameters
    ----------
    captions : list of str
        One caption per clip.
    tokenizer : transformers.CLIPTokenizer
    text_encoder : transformers.CLIPTextModel
        On the device and in the precision to compute with.
    max_length : int
        Tokens per caption (77 for CLIP).
    batch_size : int
        Captions encoded at once.
    verbose : bool | str | int | None
        Log level for this call.

    Returns
    -------
    input_ids : ndarray of int64, shape (n_captions, max_length)
    embeddings : ndarray of float32, shape (n_captions, max_length, hidden_size)
        768 wide for SD 1.4's CLIP ViT-L/14.
    """
    max_length = ensure_positive_int(max_length, "max_length")
    batch_size = ensure_positive_int(batch_size, "batch_size")
    tokens = tokenizer(
        captions, padding="max_length", max_length=max_length, truncation=True, return_tensors="pt"
    )
    input_ids = tokens.input_ids
    truncated = sum(len(ids) > max_length for ids in tokenizer(captions).input_ids)
    if truncated:
        logger.warning(
            "%d captions are longer than %d tokens and were truncated", truncated, max_length
        )
    outputs = []
    import torch  # here, not at the top: reading captions needs no torch

    with torch.inference_mode():
        for start in range(0, len(captions), batch_size):
            ids = input_ids[start : start + batch_size].to(text_encoder.device)
            outputs.append(text_encoder(ids).last_hidden_state.float().cpu())
    embeddings = torch.cat(outputs).numpy()
    logger.info("embedded %d captions: %s", len(captions), embeddings.shape)
    return input_ids.numpy().astype(np.int64), embeddings
