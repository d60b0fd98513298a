"""Benchmark: high-gamma extraction throughput and vocoder real-time factors.

- ``highgamma_envelope`` (one filter cascade over all channels, FFT-length padding) against
  the reference's way, a loop over channels that filters notch after notch and then band-passes
  with ``sosfiltfilt`` before ``hilbert``: channel-hours of 1024 Hz sEEG per second.
- Griffin-Lim and WaveGlow (random weights in the published 256-channel architecture) from
  80-bin mels to 22,050 Hz audio: real-time factor (seconds of compute per second of audio;
  below 1 is faster than real time), on CPU and, when one is present, on a GPU.

    python benchmarks/audio.py           # about a minute on two cores
    python benchmarks/audio.py --quick
"""

import argparse
import time

import numpy as np
import torch
from scipy import signal

from eegdecode.models.waveglow import WaveGlow, WaveGlowConfig
from eegdecode.signal import MelConfig, griffin_lim, highgamma_envelope

SEEG_SFREQ = 1024.0


def _per_channel_reference(data, sfreq):
    """The reference's loop: each channel, each notch, the band-pass, then its envelope."""
    notches = [signal.ellip(8, 0.5, 60, (f - 0.5, f + 0.5), btype="bandstop", output="sos",
                            fs=sfreq) for f in (50, 100, 150)]  # fmt: skip
    band = signal.butter(8, (70, 170), btype="bandpass", output="sos", fs=sfreq)
    envelopes = []
    for channel in data:
        for sos in notches:
            channel = signal.sosfiltfilt(sos, channel)
        envelopes.append(np.abs(signal.hilbert(signal.sosfiltfilt(band, channel))))
    return np.array(envelopes)


def _seconds(function, repeats):
    function()
    started = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - started) / repeats


def highgamma_rows(n_channels, seconds, repeats):
    data = np.random.default_rng(0).standard_normal((n_channels, int(seconds * SEEG_SFREQ)))
    channel_hours = n_channels * seconds / 3600
    rows = []
    for name, function in (
        ("highgamma_envelope", lambda: highgamma_envelope(data, SEEG_SFREQ, verbose="error")),
        ("per-channel scipy loop", lambda: _per_channel_reference(data, SEEG_SFREQ)),
    ):
        elapsed = _seconds(function, repeats)
        rows.append((name, elapsed, channel_hours / elapsed))
    return rows


def vocoder_rows(audio_seconds, devices, repeats):
    config = MelConfig()
    n_frames = config.n_frames(int(audio_seconds * config.sfreq))
    mel = np.random.default_rng(0).normal(-4, 1, (n_frames, config.n_mels)).astype(np.float32)
    rows = []
    if "cpu" in devices:  # Griffin-Lim (librosa) runs on CPU only
        griffin_lim_seconds = _seconds(lambda: griffin_lim(mel, config, n_iter=32), repeats)
        rows.append(("Griffin-Lim, 32 iterations", "cpu", griffin_lim_seconds / audio_seconds))
    torch.manual_seed(0)
    model = WaveGlow(WaveGlowConfig()).eval()
    for device in devices:
        model.to(device)
        mel_tensor = torch.from_numpy(mel.T[None]).to(device)

        def run(mel_tensor=mel_tensor, device=device):
            model.infer(mel_tensor)
            if device == "cuda":
                torch.cuda.synchronize()

        rows.append(("WaveGlow (256 channels)", device, _seconds(run, repeats) / audio_seconds))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, one repetition")
    parser.add_argument(
        "--cuda-only",
        action="store_true",
        help="only the GPU rows (the CPU rows are measured on the CPU machine)",
    )
    args = parser.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    n_channels, seconds, audio_seconds, repeats = (8, 30, 0.5, 1) if args.quick else (64, 120, 2, 3)
    if not args.cuda_only:
        print(f"High gamma: {n_channels} channels × {seconds} s at {SEEG_SFREQ:g} Hz")
        print(f"{'implementation':26} {'seconds':>9} {'channel-hours/s':>16}")
        rows = highgamma_rows(n_channels, seconds, repeats)
        for name, elapsed, throughput in rows:
            print(f"{name:26} {elapsed:9.3f} {throughput:16.3f}")
        print(f"speed-up over the per-channel loop: {rows[1][1] / rows[0][1]:.1f}×")
    devices = [
        *([] if args.cuda_only else ["cpu"]),
        *(["cuda"] if torch.cuda.is_available() else []),
    ]
    print(f"\nVocoders: {audio_seconds} s of 22,050 Hz audio from 80-bin mels")
    print(f"{'vocoder':28} {'device':6} {'real-time factor':>16}")
    for name, device, factor in vocoder_rows(audio_seconds, devices, repeats):
        print(f"{name:28} {device:6} {factor:16.3f}")


if __name__ == "__main__":
    main()
