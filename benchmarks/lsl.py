"""Calibration over LSL: the recorder at 64 channels × 1000 Hz, and the seconds from the end of
a recording to the user's fine-tuned model being live.

Run from the repository root::

    python benchmarks/lsl.py            # 60 s and 10 min of recording, and a 3 s outage
    python benchmarks/lsl.py --quick    # 5 s, no outage

Recorder: an outlet in another process pushes 64 float32 channels at 1000 Hz in 10 ms
chunks, each chunk's timestamp jittered by 2 ms (normal, clipped to ±4 ms), channel 0
carrying each sample's index. This process records them with ``record_session``. The table
gives the samples sent between the first and last received (from the indices), those
recorded, the difference (lost, target 0), the gaps the session reports (false gaps, target
0) and this process's CPU share, beside a bare ``pull_chunk`` loop over the same stream (the
reference: what reading LSL costs without recording); the same share at 60 s and 10 min
shows the recorder's work per chunk does not grow with the recording. The outage row takes
the outlet off the network for 3 s: the gap recorded, and the reconnect delay (gap − 3 s),
whose samples are lost.

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
N_CHANNELS, SFREQ, CHUNK, JITTER_S, OUTAGE_S = 64, 1000.0, 10, 0.002, 3.0


def _outlet(name, seconds, outage_at):
    """Push ``seconds`` (+8) of indexed samples; off the network for OUTAGE_S at
    ``outage_at`` s when it is not None."""
    import pylsl

    def make():
        info = pylsl.StreamInfo(name, "EEG", N_CHANNELS, SFREQ, "float32", name)
        return pylsl.StreamOutlet(info, chunk_size=CHUNK)

    # The stream flows from the start, as a headset's does: the recorder joins a running
    # stream, so its protocol starts with samples already arriving.
    outlet = make()
    rng = np.random.default_rng(0)
    data = rng.standard_normal((CHUNK, N_CHANNELS)).astype(np.float32)
    start, pushed = pylsl.local_clock(), 0
    while pylsl.local_clock() - start < seconds + 8:
        if outage_at is not None and pylsl.local_clock() - start >= outage_at:
            del outlet
            time.sleep(OUTAGE_S)
            outlet, outage_at = make(), None
            pushed = int((pylsl.local_clock() - start) * SFREQ) // CHUNK * CHUNK
        due = int((pylsl.local_clock() - start) * SFREQ) - pushed
        if due < CHUNK:
            time.sleep(0.002)
            continue
        data[:, 0] = np.arange(pushed, pushed + CHUNK)
        jitter = JITTER_S * np.clip(rng.standard_normal(), -2, 2)
        outlet.push_chunk(data, start + (pushed + CHUNK - 1) / SFREQ + jitter)
        pushed += CHUNK


def _cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def recorder_row(mode, seconds, outage_at=None):
    """(mode, seconds, sent, received, lost, gaps, CPU share, gap seconds)"""
    name = f"bench-{mode.split()[0]}-{int(time.time())}"
    process = multiprocessing.Process(target=_outlet, args=(name, seconds, outage_at))
    process.start()
    info = resolve_stream(name=name, timeout=30)
    wall, cpu = time.time(), _cpu()
    gaps = np.zeros((0, 2))
    if mode.startswith("record_session"):
        session = record_session(info, [ProtocolStep("rest", seconds)], user="bench",
                                 session="s", display=TerminalDisplay(quiet=True),
                                 publish_markers=False)  # fmt: skip
        unix = session.unix_times()
        phase = session.phases[0]
        indices = session.eeg[0, (unix >= phase.start_unix) & (unix < phase.end_unix)]
        gaps = session.gaps
        for start, end in gaps:
            when = f"{start - phase.start_unix:.3f}–{end - phase.start_unix:.3f} s"
            print(f"  {mode}, {seconds} s: gap {when} after the phase's start", file=sys.stderr)
    else:
        import pylsl

        inlet = pylsl.StreamInlet(info, max_buflen=360)
        inlet.open_stream(timeout=10)
        received = []
        while time.time() - wall < seconds:
            chunk, times = inlet.pull_chunk(timeout=0.02, max_samples=4096)
            if times:
                received.append(np.asarray(chunk)[:, 0])
        indices = np.concatenate(received)
    cpu_share = (_cpu() - cpu) / (time.time() - wall)
    process.join()
    sent = int(indices.max() - indices.min() + 1)
    gap_s = float(np.sum(gaps[:, 1] - gaps[:, 0]))
    return (mode, seconds, sent, len(indices), sent - len(indices), len(gaps), cpu_share, gap_s)


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
    durations, repeats = ((5,), 1) if args.quick else ((60, 600), 3)
    rows = [recorder_row("bare pull_chunk loop", durations[0])]
    rows += [recorder_row("record_session", seconds) for seconds in durations]
    if not args.quick:
        rows.append(recorder_row("record_session, outage", 20, outage_at=8.0))
    print(f"Recorder: {N_CHANNELS} channels × {SFREQ:g} Hz, {JITTER_S * 1e3:g} ms jitter")
    print(f"{'reader':24} {'seconds':>7} {'sent':>8} {'received':>9} {'lost':>7} {'gaps':>5} "
          f"{'CPU share':>10}")  # fmt: skip
    for mode, seconds, sent, received, lost, gaps, share, gap_s in rows:
        print(f"{mode:24} {seconds:7d} {sent:8d} {received:9d} {lost:7d} {gaps:5d} {share:9.1%}")
        if mode.endswith("outage"):
            print(f"  {OUTAGE_S:g} s outage: gap recorded {gap_s:.2f} s, reconnect delay "
                  f"{gap_s - OUTAGE_S:.2f} s, {lost} samples lost")  # fmt: skip
    times, dry = finetune_seconds(repeats)
    print(f"\nEnd of recording → fine-tuned model live (mean of {repeats})")
    print(f"{'step':44} {'seconds':>8}")
    print(f"{'snakemake dry run (start-up and DAG)':44} {np.mean(dry):8.2f}")
    print(f"{'windows, fine-tune, pointer, selector reload':44} {np.mean(times):8.2f}")


if __name__ == "__main__":
    main()
