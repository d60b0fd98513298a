"""Rule detect_faces: the largest face of every frame_stride-th frame of each trial's video,
cropped square, with the trial, frame and box of each crop."""

from eegdecode import log_to_file
from eegdecode.artifacts import write_artifact
from eegdecode.stimulus.faces import FACE_CASCADE, detect_trial_faces

with log_to_file(snakemake.log[0]):
    faces = snakemake.params.faces
    settings = {key: faces[key] for key in ("frame_stride", "crop_size", "min_face")}
    arrays = detect_trial_faces(snakemake.params.videos, **settings)
    write_artifact(
        snakemake.output.crops,
        arrays,
        producer="detect_faces",
        attrs={"subject": int(snakemake.wildcards.deap_subject), "detector": FACE_CASCADE},
        parameters=settings,
    )
