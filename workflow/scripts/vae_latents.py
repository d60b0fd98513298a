"""Rule vae_latents: ground-truth frames → scaled Stable Diffusion VAE latents."""

from eegdecode import log_to_file
from eegdecode.artifacts import (
    FRAME_AXES,
    LATENT_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from eegdecode.devices import inference_dtype, limit_threads, resolve_device
from eegdecode.stimulus import encode_frames, load_vae

with log_to_file(snakemake.log[0]):
    settings, source = snakemake.params.latents, snakemake.input.frames
    limit_threads(snakemake.threads)
    device = resolve_device(settings["device"])
    vae = load_vae(snakemake.input.model, device=device, dtype=inference_dtype(device))
    attrs = read_attrs(source)
    latents = encode_frames(
        read_array(source, "frames", axes=FRAME_AXES).data,
        vae,
        seed=[settings["seed"], attrs["block"]],
        batch_size=settings["batch_size"],
        progress=True,
    )
    scaling = float(vae.config.scaling_factor)
    write_artifact(
        snakemake.output.latents,
        {
            "latents": AxisArray(
                latents, LATENT_AXES, {"scaling_factor": scaling, "order": "presentation"}
            ),
            "concept_labels": read_array(source, "concept_labels"),
        },
        producer="vae_latents",
        attrs=inherit_attrs(
            attrs,
            scaling_factor=scaling,
            pixel_range="x / 127.5 - 1",
            model=str(snakemake.input.model),
            device=f"{device} ({vae.dtype})",
        ),
        parameters=settings,
    )
