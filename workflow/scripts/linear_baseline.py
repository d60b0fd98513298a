"""Rule linear_baseline: SingleWordProductionDutch's reference decoder on one participant, on
the seq2seq's split and in the reference's contiguous folds."""

from eegdecode import log_to_file
from eegdecode.training.linear_baseline import linear_baseline

with log_to_file(snakemake.log[0]):
    settings = dict(snakemake.params.baseline)
    settings.pop("activate")
    trained, test, cross_validated = linear_baseline(
        snakemake.input.recording,
        n_components=settings.pop("n_components"),
        cv_folds=settings.pop("cv_folds"),
        features=settings,
        windows=snakemake.params.windows,
    )
    trained.save(snakemake.output.model)
    test.write(snakemake.output.predictions, producer="linear_baseline")
    cross_validated.write(snakemake.output.cross_validated, producer="linear_baseline")
