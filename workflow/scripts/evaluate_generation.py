"""Rule evaluate_generation: SSIM and N-way accuracy of one subject's clips in one mode."""

from eegdecode import log_to_file
from eegdecode.artifacts import FRAME_AXES, read_array, read_attrs
from eegdecode.devices import limit_threads
from eegdecode.evaluation.classifiers import load_classifier
from eegdecode.evaluation.video import evaluate_clips
from eegdecode.fileio import write_json
from eegdecode.report import plot_generated_beside_truth, save_figure
from eegdecode.training.stages import to_class_order

with log_to_file(snakemake.log[0]):
    settings = snakemake.params.evaluate
    limit_threads(snakemake.threads)
    generated = read_array(
        snakemake.input.clips, "frames", axes=("class", "rep", "frame", "height", "width", "rgb")
    ).data
    shown = read_array(snakemake.input.truth, "frames", axes=FRAME_AXES).data
    concept_labels = read_array(snakemake.input.truth, "concept_labels").data
    n_classes, n_reps = generated.shape[:2]
    if shown.shape[0] != n_classes * n_reps or shown.shape[1:] != generated.shape[2:]:
        raise ValueError(
            f"{snakemake.input.clips} holds {n_classes} × {n_reps} clips of "
            f"{generated.shape[2:]}, but the ground truth {snakemake.input.truth} has "
            f"{shown.shape}: the two come from different blocks or frame settings."
        )
    # Ground truth in class order, beside each generated clip (spec §5).
    truth = to_class_order(shown.reshape(n_classes, n_reps, *shown.shape[1:]), concept_labels)
    n_frames = generated.shape[2]
    classifiers = {
        role: load_classifier(
            role,
            settings[f"{role}_classifier"]["kind"],
            getattr(snakemake.input, f"{role}_classifier"),
            n_frames=n_frames,
        )
        for role in ("video", "image")
    }
    flat = {name: clips.reshape(-1, *clips.shape[2:]) for name, clips in
            (("generated", generated), ("truth", truth))}  # fmt: skip
    metrics = evaluate_clips(
        flat["generated"], flat["truth"],
        classify_video=classifiers["video"], classify_frames=classifiers["image"],
        n_ways=settings["n_ways"], top=settings["top"], trials=settings["trials"],
        seed=settings["seed"],
    )  # fmt: skip
    attrs = read_attrs(snakemake.input.clips)
    write_json(
        snakemake.output.metrics,
        {
            "subject": int(snakemake.wildcards.subject),
            "mode": snakemake.wildcards.mode,
            "test_block": int(attrs["test_block"]),
            "n_clips": int(n_classes * n_reps),
            "clip_order": "class order: clip i is concept i // n_reps + 1, repetition i % n_reps",
            "metrics": metrics,
        },
    )
    title = f"Subject {snakemake.wildcards.subject}, {snakemake.wildcards.mode}"
    figure = plot_generated_beside_truth(generated[:, 0], truth[:, 0], title=title)
    save_figure(figure, snakemake.output.figure)
