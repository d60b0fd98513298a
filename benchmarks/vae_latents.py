"""Benchmark: frames per second through the VAE latent stage, on CPU and (when present) a GPU.

For each configuration the project's ``encode_frames`` (batching, seeded posterior sampling,
scaling) is timed against a direct diffusers call on the same frames,
``vae.encode(x).latent_dist.sample() * scaling_factor``, in the same run; each configuration
runs in a fresh process so that its peak memory is its own.

- tiny VAE (the demo's stand-in) at the demo's 72 × 128 and at SEED-DV's 288 × 512, CPU;
- a VAE with Stable Diffusion 1.4's architecture (random weights) at 288 × 512, CPU;
- the same on CUDA in half precision, when a GPU is available.

    python benchmarks/vae_latents.py              # about two minutes on two cores
    python benchmarks/vae_latents.py --clips 1    # quicker
"""

import argparse
import multiprocessing
import resource
import tempfile
import time

import numpy as np
import torch

SD14_VAE = {
    "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4,
    "block_out_channels": (128, 256, 512, 512),
    "layers_per_block": 2,
    "latent_channels": 4,
    "norm_num_groups": 32,
    "sample_size": 512,
    "scaling_factor": 0.18215,
}


def _vae(kind):
    from diffusers import AutoencoderKL

    from eegdecode.stimulus import build_tiny_stable_diffusion, load_vae

    if kind == "tiny":
        folder = build_tiny_stable_diffusion(f"{tempfile.mkdtemp()}/tiny-sd")
        return load_vae(folder)
    torch.manual_seed(0)
    return AutoencoderKL(**SD14_VAE).eval()


def _run(kind, device, height, width, n_clips, queue):
    from eegdecode.stimulus import encode_frames

    torch.set_num_threads(2)
    dtype = torch.float16 if device == "cuda" else torch.float32
    vae = _vae(kind).to(device, dtype)
    frames = np.random.default_rng(0).integers(
        0, 256, (n_clips, 6, height, width, 3), dtype=np.uint8
    )
    encode_frames(frames[:1, :1], vae)  # warm-up: kernels, allocator
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    encode_frames(frames, vae, batch_size=1)
    if device == "cuda":
        torch.cuda.synchronize()
    ours = time.perf_counter() - started

    pixels = (
        torch.from_numpy(frames).flatten(0, 1).permute(0, 3, 1, 2).to(device, dtype) / 127.5 - 1
    )
    started = time.perf_counter()
    with torch.inference_mode():
        for clip in pixels.split(6):
            (vae.encode(clip).latent_dist.sample() * vae.config.scaling_factor).cpu()
    if device == "cuda":
        torch.cuda.synchronize()
    direct = time.perf_counter() - started
    if device == "cuda":
        peak = torch.cuda.max_memory_allocated() / 2**20
        where = "GPU"
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
        where = "RSS"
    queue.put((ours, direct, peak, where))


def measure(kind, device, height, width, n_clips):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(kind, device, height, width, n_clips, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=2, help="clips of 6 frames per configuration")
    parser.add_argument("--tiny-only", action="store_true", help="skip the SD 1.4-sized VAE")
    parser.add_argument(
        "--cuda-only",
        action="store_true",
        help="only the GPU rows (the CPU rows are measured on the CPU machine)",
    )
    args = parser.parse_args()
    configurations = [
        ("tiny", "cpu", 72, 128, 8 * args.clips),
        ("tiny", "cpu", 288, 512, args.clips),
    ]
    if not args.tiny_only:
        configurations.append(("sd-1.4", "cpu", 288, 512, args.clips))
    if torch.cuda.is_available() and not args.tiny_only:
        configurations.append(("sd-1.4", "cuda", 288, 512, 20 * args.clips))
    if args.cuda_only:
        configurations = [c for c in configurations if c[1] == "cuda"]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads available, 2 used")
    columns = (
        "VAE",
        "device",
        "frames",
        "n",
        "eegdecode fps",
        "direct fps",
        "overhead",
        "peak MiB",
    )
    widths = (-8, -12, 9, 4, 14, 11, 9, 14)
    print(
        " ".join(
            f"{name:{'<' if w < 0 else '>'}{abs(w)}}"
            for name, w in zip(columns, widths, strict=True)
        )
    )
    for kind, device, height, width, n_clips in configurations:
        ours, direct, peak, where = measure(kind, device, height, width, n_clips)
        n_frames = 6 * n_clips
        label = "cuda fp16" if device == "cuda" else "cpu fp32"
        print(
            f"{kind:8s} {label:12s} {f'{height}×{width}':>9s} {n_frames:4d} "
            f"{n_frames / ours:14.1f} {n_frames / direct:11.1f} {ours / direct - 1:8.0%} "
            f"{f'{peak:.0f} ({where})':>14s}"
        )
    if not torch.cuda.is_available():
        print("no CUDA device: the GPU row is skipped")


if __name__ == "__main__":
    main()
