"""Rule dana: DANA-noised Seq2Seq latents of the test block, β from the fast/slow predictions."""

from eegdecode import log_to_file
from eegdecode.artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.diffusion import DanaConfig, dana

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.dana
    predicted = read_array(snakemake.input.latents, "latents")
    fast = read_array(snakemake.input.fast_slow, "fast", axes=("class", "rep")).data
    if predicted.axes[:2] != ("class", "rep") or predicted.data.shape[:2] != fast.shape:
        raise ValueError(
            f"{snakemake.input.latents} holds latents {predicted.axes} {predicted.data.shape} but "
            f"{snakemake.input.fast_slow} has fast/slow labels of shape {fast.shape}: both must "
            f"be (class, rep, ...) of the same test block."
        )
    shape = predicted.data.shape
    noised, timesteps = dana(
        predicted.data.reshape(-1, *shape[2:]), fast.reshape(-1), DanaConfig(**settings)
    )
    write_artifact(
        snakemake.output.latents,
        {
            "latents": AxisArray(noised.reshape(shape), predicted.axes, {"order": "class"}),
            "timesteps": AxisArray(timesteps.reshape(shape[:2]), ("class", "rep")),
            "concept_ids": read_array(snakemake.input.latents, "concept_ids"),
        },
        producer="dana",
        attrs=inherit_attrs(read_attrs(snakemake.input.latents)),
        parameters=settings,
    )
