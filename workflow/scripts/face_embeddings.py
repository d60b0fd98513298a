"""Rule face_embeddings: the frozen vision encoder's CLS embedding of each face crop, averaged
per trial; trials without a face are marked (has_face false)."""

from eegdecode import log_to_file
from eegdecode.artifacts import inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.stimulus.faces import trial_face_embeddings
from eegdecode.stimulus.pretrained import load_vision_encoder

with log_to_file(snakemake.log[0]):
    source = snakemake.input.crops
    n_trials = read_array(source, "n_faces", axes=("trial",)).data.size
    encoder = load_vision_encoder(snakemake.input.encoder)
    arrays = trial_face_embeddings(
        read_array(source, "crops", axes=("crop", "y", "x", "rgb")).data,
        read_array(source, "trial", axes=("crop",)).data,
        n_trials,
        encoder,
        batch_size=snakemake.params.batch_size,
    )
    write_artifact(
        snakemake.output.embeddings,
        arrays,
        producer="face_embeddings",
        attrs=inherit_attrs(read_attrs(source), encoder=str(snakemake.input.encoder)),
    )
