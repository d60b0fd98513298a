"""Rule generation_page: one subject's shown test clips beside every mode's generated clips."""

import json

from eegdecode import log_to_file
from eegdecode.artifacts import read_array
from eegdecode.report import write_generation_page

with log_to_file(snakemake.log[0]):
    inputs, params = snakemake.input, snakemake.params
    write_generation_page(
        snakemake.output.page,
        shown=inputs.shown,
        generated=dict(zip(params.modes, inputs.generated, strict=True)),
        reports=[json.loads(open(path).read()) for path in inputs.metrics],
        concept_labels=read_array(inputs.truth, "concept_labels").data,
        n_reps=params.clips_per_concept,
        title=f"Generated clips, subject {snakemake.wildcards.subject}",
        reps_shown=params.reps_shown,
    )
