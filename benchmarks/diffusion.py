"""Benchmark: seconds per fine-tuning step and per generated clip of the video diffusion stages.

Each configuration times a fine-tuning step of Tune-A-Video's trainable parameters (AdamW,
autocast, as ``finetune_video_unet`` trains them, without its gradient clipping and diffusion
loss) and one sampler step of classifier-free guidance, and,
as the reference in the same run, the uninflated 2D UNet doing the same work on the
frames folded into the batch, so the table shows what the video layers (sparse-causal and
temporal attention) cost.

- tiny UNet (the demo's stand-in) at the demo's 6 × 32 × 64 frames, CPU;
- a UNet with Stable Diffusion 1.4's architecture (random weights) at 6 × 288 × 512, on CUDA
  in bf16 with gradient checkpointing, when a GPU is available (with peak GPU memory).

    python benchmarks/diffusion.py            # about a minute on two cores
    python benchmarks/diffusion.py --quick    # fewer repetitions
"""

import argparse
import tempfile
import time

import numpy as np
import torch

SD14_UNET = {
    "block_out_channels": (320, 640, 1280, 1280),
    "down_block_types": ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    "up_block_types": ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    "cross_attention_dim": 768,
    "attention_head_dim": 8,
    "layers_per_block": 2,
    "sample_size": 64,
}


def _unets(kind):
    from diffusers import UNet2DConditionModel

    from eegdecode.diffusion import VideoUNet
    from eegdecode.stimulus import build_tiny_stable_diffusion, load_unet

    if kind == "tiny":
        folder = build_tiny_stable_diffusion(f"{tempfile.mkdtemp()}/tiny-sd")
        return load_unet(folder), VideoUNet(load_unet(folder)), 32
    torch.manual_seed(0)
    return (
        UNet2DConditionModel(**SD14_UNET),
        VideoUNet(UNet2DConditionModel(**SD14_UNET)),
        768,
    )


def _sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def _time(function, repeats, device):
    function()  # warm-up: kernels, allocator
    _sync(device)
    started = time.perf_counter()
    for _ in range(repeats):
        function()
    _sync(device)
    return (time.perf_counter() - started) / repeats


def _bench(kind, device, latent_hw, batch, repeats):
    from eegdecode.diffusion import TUNE_A_VIDEO_TRAINABLE

    image_unet, video_unet, text_dim = _unets(kind)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    frames = 6
    latents = torch.randn(batch, 4, frames, *latent_hw, device=device)
    text = torch.randn(batch, 77, text_dim, device=device)
    timesteps = torch.randint(0, 1000, (batch,), device=device)
    rows = []
    for name, unet in (("2D UNet per frame (reference)", image_unet), ("video UNet", video_unet)):
        unet.to(device).train()
        for param_name, parameter in unet.named_parameters():
            parameter.requires_grad_(any(f in param_name for f in TUNE_A_VIDEO_TRAINABLE))
        if device == "cuda":
            unet.enable_gradient_checkpointing()
        trainable = [p for p in unet.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=3e-5)

        def forward(sample, timestep, condition, unet=unet):
            """The UNet on (batch, channel, frame, h, w); the 2D one on the frames folded."""
            if unet is video_unet:
                return unet(sample, timestep, condition)
            n_frames = sample.shape[2]
            return unet(
                sample.transpose(1, 2).flatten(0, 1),
                timestep.repeat_interleave(n_frames),
                encoder_hidden_states=condition.repeat_interleave(n_frames, 0),
            ).sample

        def step(forward=forward, optimizer=optimizer):
            with torch.autocast(device, dtype=dtype, enabled=device == "cuda"):
                out = forward(latents, timesteps, text)
            loss = out.float().pow(2).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        seconds = _time(step, repeats, device)
        memory = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan")
        rows.append((name, "train step", batch, seconds, memory))

        unet.eval()

        def sample_step(forward=forward):
            # One sampler step of one clip: both branches of classifier-free guidance.
            with torch.inference_mode():
                with torch.autocast(device, dtype=dtype, enabled=device == "cuda"):
                    forward(
                        torch.cat([latents[:1]] * 2),
                        timesteps[:1].repeat(2),
                        torch.cat([text[:1]] * 2),
                    )

        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        seconds = _time(sample_step, repeats, device)
        memory = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else float("nan")
        rows.append((name, "sampler step, 1 clip", 1, seconds, memory))
        optimizer.state.clear()  # so that the next model's peak memory is its own
        unet.to("cpu")
    return rows


def _generation_seconds(steps):
    """End to end: 1 clip of the demo with the tiny models and the PNDM sampler."""
    from eegdecode.diffusion import VideoUNet, generate_clips
    from eegdecode.stimulus import build_tiny_stable_diffusion, load_scheduler, load_vae

    folder = build_tiny_stable_diffusion(f"{tempfile.mkdtemp()}/tiny-sd")
    unet, vae = VideoUNet.from_stable_diffusion(folder).eval(), load_vae(folder)
    scheduler = load_scheduler(folder)
    text = np.zeros((1, 77, 32), np.float32)
    started = time.perf_counter()
    generate_clips(unet, vae, scheduler, text, text, latent_shape=(6, 4, 4, 8), steps=steps)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition per timing")
    parser.add_argument(
        "--cuda-only",
        action="store_true",
        help="only the GPU rows (the CPU rows are measured on the CPU machine)",
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    repeats = 1 if args.quick else 5
    configurations = [] if args.cuda_only else [("tiny", "cpu", (4, 8), 4)]
    if torch.cuda.is_available():
        configurations.append(("SD 1.4", "cuda", (36, 64), 1))
    print(f"{'model':8} {'device':6} {'what':32} {'task':22} {'batch':>5} {'s':>9} {'GiB':>6}")
    results = {}
    for kind, device, latent_hw, batch in configurations:
        for name, task, size, seconds, memory in _bench(kind, device, latent_hw, batch, repeats):
            results[(kind, name, task)] = seconds
            print(f"{kind:8} {device:6} {name:32} {task:22} {size:5d} {seconds:9.4f} {memory:6.2f}")
    for kind, _, _, _ in configurations:
        for task in ("train step", "sampler step, 1 clip"):
            overhead = (
                results[(kind, "video UNet", task)]
                / results[(kind, "2D UNet per frame (reference)", task)]
            )
            print(f"{kind}: video UNet / 2D reference, {task}: {overhead:.2f}×")
    if not torch.cuda.is_available():
        print("no CUDA device: the SD 1.4-sized rows are skipped")
    if args.cuda_only:
        return
    steps = 5 if args.quick else 20
    print(f"tiny, CPU: one generated clip, {steps} PNDM steps with guidance: "
          f"{_generation_seconds(steps):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
