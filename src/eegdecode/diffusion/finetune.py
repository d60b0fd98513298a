"""Tune-A-Video fine-tuning of the video UNet on ground-truth clips and their captions.

This is not :func:`eegdecode.training.fit`: the objective samples its own noise and timesteps,
the budget is counted in optimiser steps (tens of thousands, over a few dozen clips), and
checkpoints hold only the few trainable tensors of a frozen multi-gigabyte UNet. Device, mixed
precision, the optimiser step, gradient checkpointing, checkpoints and resume are the shared
ones of :class:`eegdecode.training.infrastructure.TrainingRun`.
"""

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional

from .._logging import logger
from .._validation import check_option, dataclass_from_dict
from ..artifacts import LATENT_AXES, TEXT_AXES, read_array
from ..fileio import atomic_path
from ..protocol import Protocol
from ..stimulus.pretrained import load_scheduler, load_text_encoder
from ..stimulus.text import embed_captions
from ..training.infrastructure import TrainingRun
from ..training.presentation import check_block_files
from .video_unet import TUNE_A_VIDEO_TRAINABLE, VideoUNet


@dataclass(frozen=True)
class FinetuneConfig:
    """How to fine-tune the video UNet.

    Parameters
    ----------
    steps : int
        Optimiser steps (about 30,000 for SEED-DV, spec D13); 0 keeps the starting UNet as it is
        (a published fine-tuned one, say).
    batch_size : int
        Clips per step (10).
    lr, weight_decay, max_grad_norm : float
        AdamW learning rate (3e-5, constant), weight decay (1e-2) and gradient clipping (1.0).
    trainable : 'tune_a_video' | 'all'
        ``tune_a_video`` trains ``attn1.to_q``, ``attn2.to_q`` and the temporal attention only;
        ``all`` trains the whole UNet (for a randomly initialised UNet, which has no image
        prior to adapt).
    checkpoint_every : int
        Steps between resumable checkpoints.
    log_every : int
        Steps over which the loss is averaged into one row of the history.
    condition_dropout : float
        Share of training clips whose caption embedding is replaced by the negative
        (unconditional) embedding, so that the UNet learns the unconditional branch that
        classifier-free guidance extrapolates from. 0 in EEG2Video, whose SD 1.4 UNet has
        learnt it already; a UNet trained from scratch needs it (0.1–0.2).
    seed : int
        Seeds the clip order, the noise, the timesteps and the dropout (33).
    device : 'auto' | 'cpu' | 'cuda'
    mixed_precision : bool
        bf16 (fp16 where bf16 is missing) autocast on CUDA; ignored on CPU.
    gradient_checkpointing : bool
        Recompute activations in the backward pass, on CUDA (it only costs time on CPU).
    """

    steps: int = 30_000
    batch_size: int = 10
    lr: float = 3e-5
    weight_decay: float = 1e-2
    max_grad_norm: float = 1.0
    trainable: str = "tune_a_video"
    checkpoint_every: int = 2_000
    log_every: int = 100
    condition_dropout: float = 0.0
    seed: int = 33
    device: str = "auto"
    mixed_precision: bool = True
    gradient_checkpointing: bool = True

    def __post_init__(self):
        check_option("trainable", self.trainable, ("tune_a_video", "all"))
        if self.steps < 0:
            raise ValueError(f"steps must be at least 0, got {self.steps!r}.")
        for name in ("batch_size", "checkpoint_every", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}.")
        if not 0 <= self.condition_dropout < 1:
            raise ValueError(
                f"condition_dropout must be in [0, 1), got {self.condition_dropout!r}."
            )

    @classmethod
    def from_dict(cls, values: dict) -> "FinetuneConfig":
        return dataclass_from_dict(cls, values, "fine-tuning")


def finetune_video_unet(
    unet: VideoUNet,
    latents: torch.Tensor,
    text_embeddings: torch.Tensor,
    noise_scheduler,
    config: FinetuneConfig,
    *,
    negative_embedding: torch.Tensor | None = None,
    workdir: str | Path | None = None,
    progress: bool = False,
) -> list[dict]:
    """Teach the video UNet to predict the noise added to ground-truth clip latents.

    Parameters
    ----------
    unet : VideoUNet
        Trained in place; moved to the configured device.
    latents : Tensor, shape (n_clips, n_frames, channels, height, width)
        VAE latents of the training clips, already multiplied by the VAE's scaling factor.
    text_embeddings : Tensor, shape (n_clips, n_tokens, features)
        The clips' caption embeddings.
    noise_scheduler : diffusers.DDPMScheduler
        The training noise schedule (SD 1.4's: 1000 steps, ε-prediction).
    config : FinetuneConfig
    negative_embedding : Tensor, shape (1, n_tokens, features) | None
        The unconditional embedding (of the empty prompt); needed when
        ``config.condition_dropout`` > 0.
    workdir : str | Path | None
        Checkpoints (``last/``) and ``metrics.csv``; a checkpoint made with the same config and
        data is resumed.
    progress : bool
        Show a progress bar over steps.

    Returns
    -------
    history : list of dict
        ``step``, mean ``loss`` over the last ``log_every`` steps, ``seconds``.
    """
    from tqdm.auto import tqdm

    if latents.ndim != 5 or text_embeddings.shape[0] != latents.shape[0]:
        raise ValueError(
            f"latents must be (clip, frame, channel, height, width) with one caption embedding "
            f"per clip; got {tuple(latents.shape)} and {tuple(text_embeddings.shape)}."
        )
    if config.condition_dropout > 0 and (
        negative_embedding is None or negative_embedding.shape[1:] != text_embeddings.shape[1:]
    ):
        raise ValueError(
            "condition_dropout needs the negative embedding, of the caption embeddings' "
            f"{tuple(text_embeddings.shape[1:])} tokens and features."
        )
    if noise_scheduler.config.prediction_type != "epsilon":
        raise ValueError("Only ε-prediction schedules (Stable Diffusion 1.x) are supported.")
    run = TrainingRun(
        config, (latents, text_embeddings), workdir=workdir, device=config.device,
        mixed_precision=config.mixed_precision,
        gradient_checkpointing=config.gradient_checkpointing, seed=config.seed,
        config_key="finetune_config",
    )  # fmt: skip
    device = run.device
    run.prepare(unet).train()
    trainable = unet.trainable_parameters(
        TUNE_A_VIDEO_TRAINABLE if config.trainable == "tune_a_video" else None
    )
    parameters = [p for p in unet.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        parameters, lr=config.lr, betas=(0.9, 0.999), weight_decay=config.weight_decay, eps=1e-8
    )
    alphas_cumprod = noise_scheduler.alphas_cumprod.to(device)
    n_train_steps = len(alphas_cumprod)
    logger.info(
        "fine-tuning %d of %d UNet tensors (%d values) on %d clips for %d steps on %s",
        len(trainable),
        sum(1 for _ in unet.unet.parameters()),
        sum(p.numel() for p in parameters),
        len(latents),
        config.steps,
        device,
    )

    history: list[dict] = []
    first_step, order = 0, torch.empty(0, dtype=torch.long)
    if (resumed := run.resume(unet, optimizer, trainable_only=True, unit="step")) is not None:
        history, first_step = resumed["history"], resumed["epoch"]
        order = torch.tensor(resumed["order"], dtype=torch.long)

    running, started = [], time.perf_counter()
    steps = tqdm(
        range(first_step, config.steps), disable=not progress, desc="fine-tuning", unit="step"
    )
    for step in steps:
        # Clips are drawn without replacement, epoch after epoch.
        if len(order) < config.batch_size:
            order = torch.cat([order, torch.randperm(len(latents), generator=run.generator)])
        batch, order = order[: config.batch_size], order[config.batch_size :]
        clean = latents[batch].to(device).transpose(1, 2)  # (batch, channel, frame, h, w)
        noise = torch.randn(clean.shape, generator=run.generator).to(device)
        timesteps = torch.randint(0, n_train_steps, (len(batch),), generator=run.generator)
        alpha_bar = alphas_cumprod[timesteps.to(device)].view(-1, 1, 1, 1, 1)
        noisy = alpha_bar.sqrt() * clean + (1 - alpha_bar).sqrt() * noise
        condition = text_embeddings[batch]
        if config.condition_dropout > 0:
            dropped = torch.rand(len(batch), generator=run.generator) < config.condition_dropout
            condition = torch.where(dropped.view(-1, 1, 1), negative_embedding, condition)
        with run.autocast():
            predicted = unet(noisy, timesteps.to(device), condition.to(device))
        loss = functional.mse_loss(predicted.float(), noise)
        run.step(loss, optimizer, max_norm=config.max_grad_norm)
        running.append(float(loss.detach()))
        done = step + 1
        if done % config.log_every == 0 or done == config.steps:
            history.append(
                {
                    "step": done,
                    "loss": sum(running) / len(running),
                    "seconds": time.perf_counter() - started,
                }
            )
            steps.set_postfix({"loss": f"{history[-1]['loss']:.4g}"})
            running, started = [], time.perf_counter()
        if run.due(done, config.steps, config.checkpoint_every):
            run.save(unet, optimizer, position=done, history=history,
                     extra={"order": order.tolist()}, trainable_only=True)  # fmt: skip
    unet.eval()
    return history


def select_training_clips(n_clips: int, clips_per_concept: int, keep: int) -> np.ndarray:
    """Indices of the first ``keep`` clips of every concept slot in a block of ``n_clips``.

    Clips are stored slot after slot, ``clips_per_concept`` each (presentation order).
    """
    if n_clips % clips_per_concept or not 1 <= keep <= clips_per_concept:
        raise ValueError(
            f"Cannot take {keep} clips per concept from {n_clips} clips in slots of "
            f"{clips_per_concept}."
        )
    slots = np.arange(0, n_clips, clips_per_concept)
    return (slots[:, None] + np.arange(keep)).reshape(-1)


def finetune_video_diffusion(
    latent_paths: Sequence[str | Path],
    text_paths: Sequence[str | Path],
    stable_diffusion: str | Path,
    output: str | Path,
    *,
    protocol: Protocol | Mapping,
    clips_per_concept: int,
    training: FinetuneConfig | Mapping,
    unet: str | Path | None = None,
    workdir: str | Path | None = None,
    progress: bool = False,
) -> list[dict]:
    """Fine-tune a video UNet on the clips of some blocks.

    The first ``clips_per_concept`` clips of every concept of each block train the UNet
    (:func:`select_training_clips`), with their caption embeddings as conditioning and the
    embedding of the empty prompt as the unconditional branch (spec D14). The result is
    written with :func:`save_video_diffusion`, with the folder's own sampler.

    Parameters
    ----------
    latent_paths, text_paths : sequence of path
        Per block, the VAE latents (``latents``, axes :data:`~eegdecode.artifacts.LATENT_AXES`)
        and the caption embeddings (``embeddings``, axes ``TEXT_AXES``) of its clips, in
        presentation order; pairwise of the same block.
    stable_diffusion : str | Path
        The local Stable Diffusion folder (UNet, text encoder, scheduler).
    output : str | Path
        The fine-tuned model's folder.
    protocol : Protocol | dict
        The recording protocol (``dataset.protocol``): every block file must hold its
        ``n_concepts × clips_per_concept`` clips.
    clips_per_concept : int
        Clips per concept and block that train.
    training : FinetuneConfig | dict
        Fine-tuning settings (``video_diffusion.finetune.training``).
    unet : str | Path | None
        A Tune-A-Video UNet folder to start from (``video_diffusion.unet``, see
        :meth:`VideoUNet.from_pretrained`); None inflates the Stable Diffusion folder's UNet.
    workdir : str | Path | None
        Checkpoints, resumed after a crash (see :func:`finetune_video_unet`).
    progress : bool
        Show a progress bar over steps.

    Returns
    -------
    history : list of dict
        What :func:`finetune_video_unet` returns.
    """
    if not isinstance(protocol, Protocol):
        protocol = Protocol.from_config(protocol)
    if not isinstance(training, FinetuneConfig):
        training = FinetuneConfig.from_dict(training)
    latents = [read_array(path, "latents", axes=LATENT_AXES).data for path in latent_paths]
    texts = [read_array(path, "embeddings", axes=TEXT_AXES).data for path in text_paths]
    n_concepts, per_concept = protocol.n_concepts, protocol.clips_per_concept
    # Each block's latents must hold the protocol's clips, and its caption embeddings as many.
    check_block_files(
        "the protocol (dataset.protocol)", (len(latents), n_concepts, per_concept),
        latent_paths, latents,
    )  # fmt: skip
    for latent_path, text_path, text in zip(latent_paths, text_paths, texts, strict=True):
        check_block_files(latent_path, (1, n_concepts, per_concept), [text_path], [text])
    chosen = select_training_clips(protocol.clips_per_block, per_concept, clips_per_concept)
    tokenizer, text_encoder = load_text_encoder(stable_diffusion)
    _, negative = embed_captions([""], tokenizer, text_encoder)
    negative = torch.from_numpy(negative)
    if unet is None:
        start = VideoUNet.from_stable_diffusion(stable_diffusion)
    else:
        start = VideoUNet.from_pretrained(unet)
        # EEG2Video's published UNet (MindCine) does not say which clips trained it (spec §4.9).
        logger.warning(
            "starting from the UNet in %s; if it was fine-tuned elsewhere, its training clips "
            "may include this run's test block", unet,
        )  # fmt: skip
    for name, value, needed in (
        ("in_channels", start.config.in_channels, latents[0].shape[2]),
        ("cross_attention_dim", start.config.cross_attention_dim, texts[0].shape[-1]),
    ):
        if value != needed:
            raise ValueError(
                f"The video UNet ({unet or stable_diffusion}) has {name} = {value}, but the "
                f"clips' latents and caption embeddings need {needed}."
            )
    history = finetune_video_unet(
        start,
        torch.from_numpy(np.concatenate([block[chosen] for block in latents])),
        torch.from_numpy(np.concatenate([block[chosen] for block in texts])),
        load_scheduler(stable_diffusion, "DDPMScheduler"),
        training,
        negative_embedding=negative,
        workdir=workdir,
        progress=progress,
    )
    save_video_diffusion(output, start, negative, load_scheduler(stable_diffusion))
    return history


NEGATIVE_EMBEDDING = "negative_embedding.safetensors"


def save_video_diffusion(
    folder: str | Path, unet: VideoUNet, negative_embedding: torch.Tensor, scheduler
) -> Path:
    """Write a fine-tuned model in the diffusers layout, atomically.

    ``unet/`` (see :meth:`VideoUNet.save_pretrained`), ``scheduler/`` (the sampler's config)
    and ``negative_embedding.safetensors`` (``negative``: (1, tokens, features), the
    unconditional branch of classifier-free guidance).
    """
    from safetensors.torch import save_file

    with atomic_path(folder) as temporary:
        temporary = Path(temporary)
        temporary.mkdir()
        unet.save_pretrained(temporary / "unet")
        scheduler.save_pretrained(temporary / "scheduler")
        save_file(
            {"negative": negative_embedding.detach().float().cpu().contiguous()},
            temporary / NEGATIVE_EMBEDDING,
        )
    return Path(folder)


def load_video_diffusion(folder: str | Path):
    """Read what :func:`save_video_diffusion` wrote: (unet, negative_embedding, scheduler)."""
    import diffusers
    from safetensors.torch import load_file

    folder = Path(folder)
    if not (folder / NEGATIVE_EMBEDDING).is_file():
        raise FileNotFoundError(f"{str(folder)!r} is not a fine-tuned video diffusion model.")
    config = json.loads((folder / "scheduler" / "scheduler_config.json").read_text())
    scheduler = getattr(diffusers, config["_class_name"]).from_config(config)
    negative = load_file(folder / NEGATIVE_EMBEDDING)["negative"]
    return VideoUNet.from_pretrained(folder / "unet"), negative, scheduler
