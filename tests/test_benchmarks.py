"""The benchmarks run (on tiny sizes) and print their tables; their targets are not asserted."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_de_psd_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/de_psd.py", "--blocks", "1", "--concepts", "2"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "original loop (1 thread)" in done.stdout
    assert "largest relative difference <= float32 eps" in done.stdout
    # The two implementations agree even on a tiny input.
    assert "eps 1.19e-07)    met" in done.stdout
