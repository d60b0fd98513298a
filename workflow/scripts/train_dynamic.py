"""Rule train_dynamic: fast/slow from the DE of each clip's windows; predicts the test block."""

import numpy as np
import torch
from scipy.special import softmax

from eegdecode import log_to_file
from eegdecode.artifacts import LABEL_AXES, WINDOW_AXES, read_array
from eegdecode.datasets import SEED_DV_META_INFO, Protocol, load_meta_info
from eegdecode.datasets.tasks import eegvp_labels
from eegdecode.devices import limit_threads
from eegdecode.models import GLFNetMLP, GLFNetMLPConfig
from eegdecode.report import save_training_record
from eegdecode.training import TrainConfig
from eegdecode.training.stages import BlockSplit, train_predictor, write_test_predictions

with log_to_file(snakemake.log[0]):
    params, settings = snakemake.params, snakemake.params.dynamic
    limit_threads(snakemake.threads)
    protocol = Protocol.from_config(params.protocol)
    features = read_array(
        snakemake.input.features, settings["feature"], axes=(*WINDOW_AXES[:-1], "band")
    ).data
    concept_labels = read_array(snakemake.input.features, "concept_labels", axes=LABEL_AXES).data
    meta_info = load_meta_info(
        dict(zip(SEED_DV_META_INFO, snakemake.input.meta_info, strict=True)), protocol
    )
    fast, _ = eegvp_labels(
        "fast_slow", concept_labels, meta_info, clips_per_concept=protocol.clips_per_concept,
        fast_threshold=params.fast_threshold,
    )  # fmt: skip
    n_windows = features.shape[3]
    per_window = np.repeat(fast[..., None], n_windows, axis=-1)
    split = BlockSplit.make(protocol.n_blocks, test_block=settings["test_block"], validation=True)
    torch.manual_seed(settings["seed"])
    model = GLFNetMLP(
        GLFNetMLPConfig(
            n_chans=features.shape[-2],
            n_outputs=2,
            n_bands=features.shape[-1],
            local_channels=tuple(params.local_channels),
            emb_dim=settings["emb_dim"],
        )
    )
    trained = train_predictor(
        model, features, per_window, split=split, loss="cross_entropy", n_sample_axes=4,
        train_config=TrainConfig.from_dict({**settings["training"], "seed": settings["seed"]}),
        workdir=params.checkpoints,
    )  # fmt: skip
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"Fast/slow predictor, subject {snakemake.wildcards.subject}",
    )
    logits = trained.predict(features[split.test].reshape(-1, *features.shape[-2:]))
    # The probability of "fast", averaged over each clip's windows.
    probability = softmax(logits, axis=1)[:, 1].reshape(*features.shape[1:4]).mean(axis=-1)
    write_test_predictions(
        snakemake.output.predictions,
        {
            "fast": (probability >= 0.5, ("rep",)),
            "probability": (probability.astype(np.float32), ("rep",)),
            "true_fast": (fast[split.test].astype(bool), ("rep",)),
        },
        concept_labels=concept_labels[split.test],
        split=split,
        producer="train_dynamic",
        subject=int(snakemake.wildcards.subject),
        parameters=settings,
    )
