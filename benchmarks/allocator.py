"""Benchmark: training steps of ShallowNet's convolutions with and without ``keep_freed_memory``.

Importing eegdecode makes glibc reuse freed buffers up to 1 GiB instead of mapping them anew.
Ten training steps (ShallowNet's temporal and spatial convolutions, as in GLMNet, on a batch
of 200 raw windows of 62 channels × 100 samples, one thread) run in two fresh processes: one
imports eegdecode, the reference does not. The table gives the wall and system seconds of
each (target: the first clearly faster, its system time near zero).

    python benchmarks/allocator.py
"""

import subprocess
import sys

_STEPS = """
import os, sys, time
if sys.argv[1] == "eegdecode":
    import eegdecode  # noqa: F401
import torch
torch.set_num_threads(1)
model = torch.nn.Sequential(torch.nn.Conv2d(1, 40, (1, 25)), torch.nn.Conv2d(40, 40, (62, 1)))
batch = torch.randn(200, 1, 62, 100)
model(batch).sum().backward()
started, system = time.perf_counter(), os.times().system
for _ in range(10):
    model(batch).sum().backward()
print(time.perf_counter() - started, os.times().system - system)
"""


def main():
    print(f"{'process':24s} {'wall s':>8s} {'system s':>9s}")
    for mode, label in (("reference", "glibc's default"), ("eegdecode", "eegdecode imported")):
        run = subprocess.run([sys.executable, "-c", _STEPS, mode], capture_output=True, text=True)
        run.check_returncode()
        wall, system = map(float, run.stdout.split())
        print(f"{label:24s} {wall:8.2f} {system:9.2f}")


if __name__ == "__main__":
    main()
