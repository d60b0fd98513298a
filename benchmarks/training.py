"""Benchmark: training throughput of GLMNet, Seq2Seq and the semantic MLP at SEED-DV sizes.

Each model trains one epoch through ``eegdecode.training.fit`` (the project's one loop) on
random data of SEED-DV's shapes held in memory as tensors, on CPU and, when present, on CUDA.
The same batches are then only sliced and moved to the device, without the model; that time,
as a share of the epoch, is the part of each step spent outside the model (target: small,
because no per-sample Python runs in a step).

    python benchmarks/training.py           # SEED-DV sizes (the semantic MLP needs ~15 GB)
    python benchmarks/training.py --quick   # small sizes, seconds
"""

import argparse
import time

import torch

from eegdecode.models import (
    GLMNet,
    GLMNetConfig,
    SemanticPredictor,
    SemanticPredictorConfig,
    Seq2Seq,
    Seq2SeqConfig,
)
from eegdecode.training import TrainConfig, fit


def _cases(quick: bool):
    """(name, builder, (inputs, targets), loss, batch size) at SEED-DV sizes, or small ones."""
    windows, clips = (500, 32) if quick else (2000, 64)  # samples in the timed epoch
    hidden = (256,) * 4 if quick else (10000,) * 4
    d_model, latent = (64, 4 * 9 * 16) if quick else (512, 4 * 36 * 64)
    # The official model, as the README's table was measured (raw windows, autoregressive).
    seq2seq = Seq2SeqConfig(
        source="raw_windows",
        decoding="autoregressive",
        n_chans=62,
        n_times=100,
        n_windows=7,
        n_frames=6,
        latent_size=latent,
        d_model=d_model,
        feedforward=4 * d_model,
    )
    return [
        (
            "GLMNet (0.5 s windows)",
            lambda: GLMNet(GLMNetConfig(n_chans=62, n_outputs=9, n_times=100)),
            (
                (torch.randn(windows, 62, 100), torch.randn(windows, 62, 5)),
                torch.randint(0, 9, (windows,)),
            ),
            "cross_entropy",
            200,
        ),
        (
            "Seq2Seq (7 windows → 6 latents)",
            lambda: Seq2Seq(seq2seq),
            (torch.randn(clips, 7, 62, 100), torch.randn(clips, 6, latent)),
            "mse",
            32,
        ),
        (
            f"semantic MLP (310 → {hidden[0]} ×4 → 77×768)",
            lambda: SemanticPredictor(SemanticPredictorConfig(n_inputs=310, hidden=hidden)),
            (torch.randn(clips, 62, 5), torch.randn(clips, 77, 768)),
            "mse",
            32,
        ),
    ]


def _data_time(inputs, targets, batch_size, device):
    """Slice and move the same batches as one epoch of fit, without the model."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    started = time.perf_counter()
    for batch in torch.randperm(len(targets)).split(batch_size):
        for tensor in (*inputs, targets):
            tensor[batch].to(device, non_blocking=True)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--cuda-only",
        action="store_true",
        help="only the GPU rows (the CPU rows are measured on the CPU machine)",
    )
    args = parser.parse_args()
    devices = ([] if args.cuda_only else ["cpu"]) + (["cuda"] if torch.cuda.is_available() else [])
    torch.set_num_threads(2)
    print(
        f"torch {torch.__version__}; CPU threads 2"
        + ("" if torch.cuda.is_available() else "; no CUDA device, GPU rows skipped")
    )
    print(
        f"{'model':44s} {'device':6s} {'params':>8s} {'samples/s':>10s} {'s/step':>8s} "
        f"{'outside model':>14s}"
    )
    for name, build, (inputs, targets), loss, batch_size in _cases(args.quick):
        for device_name in devices:
            torch.manual_seed(0)
            model = build()
            config = TrainConfig(
                epochs=1,
                batch_size=batch_size,
                optimizer="adam",
                monitor="train_loss",
                device=device_name,
            )
            fit(
                model, (inputs, targets), None, loss=loss, config=config
            )  # warm-up: allocation, kernels
            started = time.perf_counter()
            fit(model, (inputs, targets), None, loss=loss, config=config)
            if device_name == "cuda":
                torch.cuda.synchronize()
            epoch = time.perf_counter() - started
            data = _data_time(inputs, targets, batch_size, torch.device(device_name))
            n_steps = -(-len(targets) // batch_size)
            n_params = sum(p.numel() for p in model.parameters())
            print(
                f"{name:44s} {device_name:6s} {n_params / 1e6:7.1f}M {len(targets) / epoch:10.1f} "
                f"{epoch / n_steps:8.3f} {data / epoch:13.1%}"
            )
            del model


if __name__ == "__main__":
    main()
