"""The benchmarks run (on tiny sizes) and print their tables; their targets are not asserted."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_de_psd_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/de_psd.py", "--blocks", "1", "--concepts", "2"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "original loop (1 thread)" in done.stdout
    assert "largest relative difference <= float32 eps" in done.stdout
    # The two implementations agree even on a tiny input.
    assert "eps 1.19e-07)    met" in done.stdout


def test_vae_latents_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/vae_latents.py", "--clips", "1", "--tiny-only"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("tiny")]
    assert [row[3] for row in rows] == ["72×128", "288×512"]  # "tiny cpu fp32 72×128 …"
    assert all(float(row[5]) > 0 and float(row[6]) > 0 for row in rows)


def test_training_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/training.py", "--quick"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [
        line
        for line in done.stdout.splitlines()
        if line.startswith(("GLMNet", "Seq2Seq", "semantic"))
    ]
    assert len(rows) == 3
    assert all(row.rstrip().endswith("%") for row in rows)


def test_diffusion_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/diffusion.py", "--quick"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("tiny     cpu")]
    assert len(rows) == 4 and all(float(row[-2]) > 0 for row in rows)
    assert "video UNet / 2D reference, train step" in done.stdout
    assert "one generated clip, 5 PNDM steps" in done.stdout


def test_audio_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/audio.py", "--quick"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in ("highgamma_envelope", "per-channel scipy loop"):
        row = next(line for line in done.stdout.splitlines() if line.startswith(name))
        assert float(row.split()[-1]) > 0
    assert "speed-up over the per-channel loop" in done.stdout
    factors = [
        line for line in done.stdout.splitlines() if line.startswith(("Griffin", "WaveGlow"))
    ]
    assert len(factors) >= 2 and all(float(line.split()[-1]) > 0 for line in factors)


@pytest.mark.slow
def test_lsl_benchmark_prints_its_table():
    command = [sys.executable, "benchmarks/lsl.py", "--quick"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line[:24].strip(): line.split() for line in done.stdout.splitlines()
            if line.startswith(("bare", "record_session"))}  # fmt: skip
    assert set(rows) == {"bare pull_chunk loop", "record_session"}
    # sent, received, lost, gaps: every sample of the jittered stream kept, no false gap
    sent, received, lost, gaps = map(int, rows["record_session"][-5:-1])
    assert sent == received > 4000 and lost == 0 and gaps == 0
    assert float(done.stdout.splitlines()[-1].split()[-1]) > 0
