"""Benchmark: eegdecode's DE/PSD against the original per-window loop on one SEED-DV subject.

Builds one subject of SEED-DV size (7 blocks × 62 channels × 104000 samples at 200 Hz), cuts it
into 2 s clips and 500 ms windows, and computes DE/PSD for both with
- the original algorithm (official DE_PSD.py: one call per segment, one FFT per channel, a
  Python loop over bins), and
- eegdecode.signal.de_psd with 1 and 2 threads,
then prints times, the speed-up, the largest relative difference and the peak memory of the
project's path. Targets: ≥ 50× faster, differences within float32 precision, < 2 GiB.

    python benchmarks/de_psd.py            # full subject, about half a minute for the loop
    python benchmarks/de_psd.py --blocks 1 --concepts 4   # a quick smoke run
"""

import argparse
import math
import time
import tracemalloc

import numpy as np
import scipy.fftpack

from eegdecode.datasets import Protocol
from eegdecode.signal import de_psd, segment, sliding_windows

F_START, F_END = [1, 4, 8, 14, 31], [4, 8, 14, 31, 99]
SPEEDUP_TARGET = 50.0
MEMORY_TARGET_GIB = 2.0


def original_de_psd(data, fre, time_window, stft_n=200):
    """The official EEG2Video DE_PSD.py, restated: (channel, time) → de, psd (channel, band)."""
    start = [int(f / fre * stft_n) for f in F_START]
    end = [int(f / fre * stft_n) for f in F_END]
    length = int(time_window * fre)
    window = np.array(
        [0.5 - 0.5 * np.cos(2 * np.pi * n / (length + 1)) for n in range(1, length + 1)]
    )
    de = np.zeros((data.shape[0], len(F_START)))
    psd = np.zeros((data.shape[0], len(F_START)))
    for channel in range(data.shape[0]):
        magnitude = abs(scipy.fftpack.fft(data[channel] * window, stft_n)[0 : int(stft_n / 2)])
        for band in range(len(F_START)):
            energy = 0
            for k in range(start[band] - 1, end[band]):
                energy = energy + magnitude[k] * magnitude[k]
            energy = energy / (end[band] - start[band] + 1)
            psd[channel][band] = energy
            de[channel][band] = math.log(100 * energy, 2)
    return de, psd


def loop_features(segments, time_window):
    flat = segments.reshape(-1, *segments.shape[-2:])
    results = [original_de_psd(segment, 200, time_window) for segment in flat]
    shape = (*segments.shape[:-1], len(F_START))
    return np.stack([r[0] for r in results]).reshape(shape), np.stack(
        [r[1] for r in results]
    ).reshape(shape)


def max_relative_difference(ours, reference):
    return float(np.max(np.abs(ours.astype(np.float64) - reference) / np.abs(reference)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--concepts", type=int, default=40)
    args = parser.parse_args()

    protocol = Protocol(
        sfreq=200.0,
        n_blocks=args.blocks,
        n_concepts=args.concepts,
        clips_per_concept=5,
        hint_s=3.0,
        clip_s=2.0,
    )
    rng = np.random.default_rng(0)
    # Raw EEG-like input: a random walk (strong low frequencies) plus white noise, in µV.
    raw = np.cumsum(rng.standard_normal((args.blocks, 62, protocol.block_samples)), axis=-1) * 0.5
    raw += 5 * rng.standard_normal(raw.shape)
    print(
        f"input: {raw.shape[0]} blocks × {raw.shape[1]} channels × {raw.shape[2]} samples at 200 Hz"
    )

    started = time.perf_counter()
    clips = segment(raw, protocol, verbose=False)
    windows = sliding_windows(clips, 200.0, length_s=0.5, step_s=0.25, verbose=False)
    cut = time.perf_counter() - started
    ours, times = {}, {}
    for n_jobs in (1, 2):
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            ours["2s"] = de_psd(clips, 200.0, n_jobs=n_jobs, verbose=False)
            ours["500ms"] = de_psd(windows, 200.0, n_jobs=n_jobs, verbose=False)
            best = min(best, time.perf_counter() - started)
        times[n_jobs] = best

    # Memory in a separate pass: tracing every allocation slows the timed one.
    del clips, windows
    tracemalloc.start()
    clips = segment(raw, protocol, verbose=False)
    windows = sliding_windows(clips, 200.0, length_s=0.5, step_s=0.25, verbose=False)
    de_psd(clips, 200.0, n_jobs=2, verbose=False)
    de_psd(windows, 200.0, n_jobs=2, verbose=False)
    peak_gib = tracemalloc.get_traced_memory()[1] / 2**30
    tracemalloc.stop()

    started = time.perf_counter()
    reference = {"2s": loop_features(clips, 2), "500ms": loop_features(windows, 0.5)}
    loop_time = time.perf_counter() - started

    difference = max(
        max_relative_difference(getattr(ours[key], name), reference[key][index])
        for key in ours
        for index, name in enumerate(("de", "psd"))
    )
    eps = float(np.finfo(np.float32).eps)
    best = max(loop_time / t for t in times.values())

    print(f"\n{'implementation':36s} {'time (s)':>9s} {'speed-up':>9s}")
    print(f"{'original loop (1 thread)':36s} {loop_time:9.3f} {1:8.1f}×")
    for n_jobs, seconds in times.items():
        print(
            f"{f'eegdecode de_psd, n_jobs={n_jobs}':36s} {seconds:9.3f} {loop_time / seconds:8.1f}×"
        )
    print(f"{'(segment + sliding_windows)':36s} {cut:9.3f}")

    checks = [
        (f"speed-up >= {SPEEDUP_TARGET:g}×", f"{best:.1f}×", best >= SPEEDUP_TARGET),
        (
            "largest relative difference <= float32 eps",
            f"{difference:.2e} (eps {eps:.2e})",
            difference <= eps,
        ),
        (
            f"peak memory < {MEMORY_TARGET_GIB:g} GiB",
            f"{peak_gib:.2f} GiB",
            peak_gib < MEMORY_TARGET_GIB,
        ),
    ]
    print(f"\n{'target':44s} {'measured':26s} result")
    for target, measured, met in checks:
        print(f"{target:44s} {measured:26s} {'met' if met else 'MISSED'}")
    print("(peak memory: tracemalloc over segment + windows + de_psd, the raw input excluded)")


if __name__ == "__main__":
    main()
