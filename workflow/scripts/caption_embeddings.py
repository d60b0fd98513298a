"""Rule caption_embeddings: one block's captions → CLIP text encoder last hidden states."""

from eegdecode import log_to_file
from eegdecode.artifacts import TEXT_AXES, AxisArray, write_artifact
from eegdecode.devices import inference_dtype, limit_threads, resolve_device
from eegdecode.stimulus import embed_captions, load_text_encoder, read_captions

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.captions
    limit_threads(snakemake.threads)
    device = resolve_device(settings["device"])
    tokenizer, encoder = load_text_encoder(
        snakemake.input.model, device=device, dtype=inference_dtype(device)
    )
    input_ids, embeddings = embed_captions(
        read_captions(snakemake.input.captions, snakemake.params.n_captions),
        tokenizer,
        encoder,
        max_length=settings["max_length"],
        batch_size=settings["batch_size"],
    )
    write_artifact(
        snakemake.output.embeddings,
        {
            "embeddings": AxisArray(embeddings, TEXT_AXES, {"order": "presentation"}),
            "input_ids": AxisArray(input_ids, TEXT_AXES[:2], {"order": "presentation"}),
        },
        producer="caption_embeddings",
        attrs={
            "dataset": snakemake.config["dataset"]["name"],
            "block": int(snakemake.wildcards.block),
            "model": str(snakemake.input.model),
            "source": str(snakemake.input.captions),
        },
        parameters=settings,
    )
