"""Rule dana: DANA-noised Seq2Seq latents of the test block, β from the fast/slow predictions."""

from eegdecode import log_to_file
from eegdecode.diffusion import dana_from_predictions

with log_to_file(snakemake.log[0]):
    dana_from_predictions(
        snakemake.input.latents,
        snakemake.input.fast_slow,
        snakemake.output.latents,
        snakemake.params.dana,
    )
