"""Calibration over LSL: the recorder at 64 channels × 1000 Hz, and the seconds from the end of
a recording to the user's fine-tuned model being live.

Run from the repository root::

    python benchmarks/lsl.py            # 60 s of recording, as the issue asks
    python benchmarks/lsl.py --quick    # 5 s

Recorder: an outlet in another process pushes 64 float32 channels at 1000 Hz in 10 ms
chunks; this process records them with ``record_session``. The table gives the samples the
outlet sent during the phase, those recorded, the difference (lost, target 0), and this
process's CPU share, beside a bare ``pull_chunk`` loop over the same stream (the reference:
what reading LSL costs without recording).

Fine-tuning: a session is saved as the recorder saves it, then the clock runs until a
``FocusModelSelector`` (what ``eegdecode live`` polls) hands out the new fine-tuned model; the
workflow runs ``calibration_windows``, ``finetune_focus`` and ``select_focus_model``. Beside it,
a Snakemake dry run of the same target: the share of the time that is Snakemake starting up.
"""

import argparse
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from eegdecode.lsl import (
    FocusModelSelector,
    ProtocolStep,
    TerminalDisplay,
    focus_model_paths,
    record_session,
    resolve_stream,
    simulate_session,
)

ROOT = Path(__file__).resolve().parents[1]
N_CHANNELS, SFREQ = 64, 1000.0


def _outlet(name, seconds, sent):
    import pylsl

    info = pylsl.StreamInfo(name, "EEG", N_CHANNELS, SFREQ, "float32", name)
    outlet = pylsl.StreamOutlet(info, chunk_size=10)
    outlet.wait_for_consumers(30)
    data = np.random.default_rng(0).standard_normal((10, N_CHANNELS)).astype(np.float32)
    start, pushed = pylsl.local_clock(), 0
    log = []
    while pylsl.local_clock() - start < seconds + 3:
        due = int((pylsl.local_clock() - start) * SFREQ) - pushed
        if due < 10:
            time.sleep(0.002)
            continue
        stamp = start + (pushed + 9) / SFREQ
        outlet.push_chunk(data, stamp)
        log.append(stamp)
        pushed += 10
    sent.put(np.array(log))


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def recorder_rows(seconds):
    rows = []
    for mode in ("bare pull_chunk loop", "record_session"):
        name = f"bench-{mode.split()[0]}-{int(time.time())}"
        sent = multiprocessing.Queue()
        process = multiprocessing.Process(target=_outlet, args=(name, seconds, sent))
        process.start()
        info = resolve_stream(name=name, timeout=30)
        wall, cpu = time.time(), _cpu()
        if mode == "record_session":
            session = record_session(info, [ProtocolStep("rest", seconds)], user="bench",
                                     session="s", display=TerminalDisplay(quiet=True),
                                     publish_markers=False)  # fmt: skip
            unix = session.unix_times()
            phase = session.phases[0]
            received = session.timestamps[(unix >= phase.start_unix) & (unix < phase.end_unix)]
        else:
            import pylsl

            inlet = pylsl.StreamInlet(info, max_buflen=360)
            inlet.open_stream(timeout=10)
            stamps = []
            while time.time() - wall < seconds:
                _, times = inlet.pull_chunk(timeout=0.02, max_samples=4096)
                stamps.extend(times)
            received = np.asarray(stamps)
        cpu_share = (_cpu() - cpu) / (time.time() - wall)
        chunk_ends = sent.get(timeout=seconds + 60)
        process.join()
        # Every sample the outlet stamped within the recorded span should have arrived.
        first, last = received.min(), received.max()
        sent_stamps = (chunk_ends[:, None] - np.arange(9, -1, -1)[None] / SFREQ).ravel()
        expected = int(np.sum((sent_stamps >= first - 1e-6) & (sent_stamps <= last + 1e-6)))
        rows.append((mode, expected, len(received), expected - len(received), cpu_share))
    return rows


def finetune_seconds(repeats):
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "config").symlink_to(ROOT / "config")
        common = [snakemake, "--snakefile", str(ROOT / "Snakefile"), "--cores", "2"]
        subprocess.run([*common, "results/focus/base"], cwd=work, check=True, capture_output=True)
        protocol = [("countdown", 3), ("focused", 40), ("countdown", 3), ("unfocused", 40)]
        times, dry = [], []
        for index in range(repeats):
            session = f"2026010{index + 1}-120000"
            simulate_session("bench", session, protocol, seed=index).save(
                work / f"results/calibration/bench/{session}/session.h5"
            )
            target = "results/focus/users/bench/current.json"
            started = time.perf_counter()
            subprocess.run([*common, target, "--dry-run"], cwd=work, check=True,
                           capture_output=True)  # fmt: skip
            dry.append(time.perf_counter() - started)
            base, pointer = focus_model_paths(work / "results", "bench")
            selector = FocusModelSelector(base, pointer)
            selector.get()
            before = selector.description
            started = time.perf_counter()
            subprocess.run([*common, target], cwd=work, check=True, capture_output=True)
            while selector.get() is not None and selector.description == before:
                time.sleep(0.01)
            times.append(time.perf_counter() - started)
    return times, dry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s of recording, one fine-tune")
    args = parser.parse_args()
    seconds, repeats = (5, 1) if args.quick else (60, 3)
    print(f"Recorder: {N_CHANNELS} channels × {SFREQ:g} Hz for {seconds} s")
    print(f"{'reader':24} {'sent':>8} {'received':>9} {'lost':>5} {'CPU share':>10}")
    for mode, expected, received, lost, share in recorder_rows(seconds):
        print(f"{mode:24} {expected:8d} {received:9d} {lost:5d} {share:9.1%}")
    times, dry = finetune_seconds(repeats)
    print(f"\nEnd of recording → fine-tuned model live (mean of {repeats})")
    print(f"{'step':44} {'seconds':>8}")
    print(f"{'snakemake dry run (start-up and DAG)':44} {np.mean(dry):8.2f}")
    print(f"{'windows, fine-tune, pointer, selector reload':44} {np.mean(times):8.2f}")


if __name__ == "__main__":
    main()
