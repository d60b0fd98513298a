"""Rule generate: clips of one subject's test block from its EEG predictions, in one mode."""

from eegdecode import log_to_file
from eegdecode.artifacts import (
    LATENT_AXES,
    AxisArray,
    inherit_attrs,
    read_array,
    read_attrs,
    write_artifact,
)
from eegdecode.devices import inference_dtype, limit_threads, resolve_device
from eegdecode.diffusion import MODES, generate_clips, load_video_diffusion
from eegdecode.stimulus import load_vae, write_gifs

with log_to_file(snakemake.log[0]):
    settings, mode = snakemake.params.generate, snakemake.wildcards.mode
    limit_threads(snakemake.threads)
    device = resolve_device(settings["device"])
    dtype = inference_dtype(device)
    unet, negative, scheduler = load_video_diffusion(snakemake.input.model)
    unet = unet.to(device, dtype).eval()
    vae = load_vae(snakemake.input.vae, device=device, dtype=dtype)
    embeddings = read_array(
        snakemake.input.embeddings, "embeddings", axes=("class", "rep", "token", "feature")
    ).data
    n_classes, n_reps = embeddings.shape[:2]
    initial = None
    if snakemake.input.initial_latents:
        source = snakemake.input.initial_latents[0]
        initial = read_array(source, "latents", axes=("class", "rep", *LATENT_AXES[1:])).data
        if initial.shape[:2] != (n_classes, n_reps):
            raise ValueError(
                f"{source} has latents for {initial.shape[:2]} (class, rep) but "
                f"{snakemake.input.embeddings} has embeddings for {(n_classes, n_reps)}."
            )
        initial = initial.reshape(-1, *initial.shape[2:])
    latent_shape = read_array(snakemake.input.reference_latents, "latents", axes=LATENT_AXES)
    clips = generate_clips(
        unet, vae, scheduler, embeddings.reshape(-1, *embeddings.shape[2:]), negative.numpy(),
        initial_latents=initial, latent_shape=latent_shape.data.shape[1:],
        steps=settings["steps"], guidance=settings["guidance"], seed=settings["seed"],
        batch_size=settings["batch_size"],
    )  # fmt: skip
    write_gifs(clips, snakemake.output.files, frames_per_s=snakemake.params.frames_per_s, mp4=True)
    write_artifact(
        snakemake.output.clips,
        {
            "frames": AxisArray(
                clips.reshape(n_classes, n_reps, *clips.shape[1:]),
                ("class", "rep", "frame", "height", "width", "rgb"),
                {"order": "class"},
            ),
            "concept_ids": read_array(snakemake.input.embeddings, "concept_ids"),
        },
        producer="generate",
        attrs=inherit_attrs(
            read_attrs(snakemake.input.embeddings),
            test_block=int(read_attrs(snakemake.input.embeddings)["test_block"]),
            mode=mode,
            initial_latents=MODES[mode],
            files="{i}.gif and {i}.mp4 with i = n_reps · (concept id − 1) + rep",
        ),
        parameters=settings,
    )
