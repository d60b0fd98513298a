"""The ``eegdecode`` command: record calibration sessions from an LSL headset, simulate one,
fine-tune through the workflow, and predict focus live."""

import argparse
import logging
import subprocess
import sys
import time
from pathlib import Path

from ._logging import logger

WORKFLOW_CONFIG = "config/config.yaml"
WORKFLOW_SCHEMA = "workflow/schemas/config.schema.yaml"


def _load_workflow_config(overrides: list[str]) -> dict:
    """The workflow config, with ``--configfile`` files merged over it as Snakemake merges
    them."""
    from .workflow_config import merge_config, read_config_file

    if not Path(WORKFLOW_CONFIG).is_file():
        raise SystemExit(f"Run eegdecode from the workflow's folder: {WORKFLOW_CONFIG} is missing.")
    try:
        config = read_config_file(WORKFLOW_CONFIG)
        for path in overrides:
            config = merge_config(config, read_config_file(path))
    except (OSError, ValueError) as error:
        raise SystemExit(str(error)) from None
    return config


def _load_calibration_config(overrides: list[str]) -> dict:
    return _load_workflow_config(overrides)["calibration"]


def _add_stream_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("which LSL stream (every given property must match)")
    group.add_argument("--stream-name", help="stream name, e.g. eegdecode-sim")
    group.add_argument("--stream-type", default="EEG", help="stream type (default: EEG)")
    group.add_argument("--source-id", help="the stream's source id")


def _resolve(args):
    from .lsl.recorder import resolve_stream

    return resolve_stream(
        name=args.stream_name,
        stream_type=args.stream_type,
        source_id=args.source_id,
        timeout=args.timeout,
    )


def session_path(results: str | Path, user: str, session: str) -> Path:
    return Path(results) / "calibration" / user / session / "session.h5"


def record(args) -> Path:
    """Record one session; returns its file. Exit code 130 when interrupted."""
    from .lsl.recorder import ProtocolStep, TerminalDisplay, record_session

    settings = _load_calibration_config(args.configfile)
    protocol = ProtocolStep.from_config(settings["protocol"])
    session = args.session or time.strftime("%Y%m%d-%H%M%S")
    path = session_path(args.results, args.user, session)
    if path.exists():
        raise SystemExit(f"{path} exists; choose another --session.")
    info = _resolve(args)
    display = TerminalDisplay(quiet=args.quiet)
    display.message(
        f"Recording {info.name()} ({info.channel_count()} channels at {info.nominal_srate():g} "
        f"Hz) for user {args.user}, session {session}: "
        f"{sum(step.duration_s for step in protocol):g} s."
    )
    recorded = record_session(info, protocol, user=args.user, session=session, display=display)
    recorded.save(path)
    display.message(
        f"Saved {path} ({'complete' if recorded.complete else 'INCOMPLETE'}, "
        f"{len(recorded.gaps)} gap(s))."
    )
    if not recorded.complete:
        raise SystemExit(130)
    return path


def calibrate(args) -> None:
    """Record a session, then run the workflow target that fine-tunes this user's model."""
    record(args)
    target = f"{args.results}/focus/users/{args.user}/current.json"
    snakemake = Path(sys.executable).with_name("snakemake")
    overrides = ["--configfile", *args.configfile] if args.configfile else []
    command = [str(snakemake), target, "--cores", str(args.cores), *overrides, *args.snakemake_args]
    logger.info("running %s", " ".join(command))
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise SystemExit(f"Fine-tuning failed (snakemake exit {done.returncode}); see logs/.")
    print(f"Fine-tuned model for {args.user}: {target}", file=sys.stderr)


def simulate_headset(args) -> None:
    from .lsl.simulate import SimulatedHeadset

    headset = SimulatedHeadset(
        name=args.name, n_channels=args.channels, sfreq=args.sfreq, user=args.user, seed=args.seed
    )
    print(
        f"Streaming {args.name}: {args.channels} channels at {args.sfreq:g} Hz, signature of "
        f"user {args.user!r}. Ctrl-C stops.",
        file=sys.stderr,
    )
    with headset:
        try:
            end = time.time() + args.duration if args.duration else float("inf")
            while time.time() < end:
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass


def live(args) -> None:
    from .lsl.live import FocusModelSelector, WorkloadModel, focus_model_paths, run_live

    config = _load_workflow_config(args.configfile)
    settings = config["calibration"]
    base, pointer = focus_model_paths(args.results, args.user)
    selector = FocusModelSelector(base, pointer)
    live_load = config["workload"]["live"]
    folder = Path(args.workload_model or Path(args.results) / "workload" / live_load["dataset"]
                  / "models" / live_load["model"])  # fmt: skip
    workload = None
    if args.workload_model or folder.is_dir():
        workload = WorkloadModel(folder)
        print(f"cognitive load: {workload.description}", file=sys.stderr)
    else:
        print(f"cognitive load: no model at {folder} (snakemake workload_all writes it)",
              file=sys.stderr)  # fmt: skip

    def report(when, probability, model, load):
        text = "filling the buffer" if probability is None else f"P(focused) = {probability:.2f}"
        line = f"{time.strftime('%H:%M:%S', time.localtime(when))}  {text}  [{model}]"
        if workload is not None:
            line += "  P(workload) = " + ("…" if load is None else f"{load:.2f}")
        print(line, flush=True)

    run_live(
        _resolve(args),
        selector,
        step_s=settings["live"]["step_s"],
        buffer_s=settings["live"]["buffer_s"],
        duration_s=args.duration,
        report=report,
        workload=workload,
    )


def export_onnx(args) -> None:
    """Write a deployed model as ONNX, checked against PyTorch with ONNX Runtime."""
    import json

    from .export import export_onnx as export

    output = Path(args.output or f"{Path(args.folder).resolve()}.onnx")
    try:
        check = export(args.folder, output, opset=args.opset)
    except (ImportError, OSError, ValueError) as error:
        raise SystemExit(str(error)) from None
    print(f"wrote {output}: {json.dumps(check)}")


def import_xdf(args) -> None:
    from .lsl.xdf import import_xdf as convert

    path = session_path(args.results, args.user, args.session)
    convert(args.file, user=args.user, session=args.session, stream_name=args.stream_name).save(
        path
    )
    print(f"Saved {path}", file=sys.stderr)


def check_config(args) -> None:
    """Check the config files as the workflow will parse them, before a run.

    YAML syntax errors name the file and line; schema errors and keys that contradict each
    other name the key.
    """
    from .workflow_config import prepare_config

    config = _load_workflow_config(args.configfile)
    try:
        prepare_config(config, WORKFLOW_SCHEMA)
    except (OSError, ValueError) as error:
        raise SystemExit(str(error)) from None
    files = ", ".join([WORKFLOW_CONFIG, *args.configfile])
    print(f"The config is valid ({files}).", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eegdecode", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)

    def configfile_option(sub):
        sub.add_argument(
            "--configfile",
            action="append",
            default=[],
            help="YAML merged over config/config.yaml, as for snakemake (repeatable)",
        )

    def common(sub, stream=True):
        configfile_option(sub)
        sub.add_argument("--results", default="results", help="the workflow's results folder")
        if stream:
            _add_stream_options(sub)
            sub.add_argument(
                "--timeout", type=float, default=10.0, help="seconds to wait for the stream"
            )

    for name, function in (("record", record), ("calibrate", calibrate)):
        sub = commands.add_parser(name, help=function.__doc__.splitlines()[0])
        common(sub)
        sub.add_argument("--user", required=True)
        sub.add_argument("--session", help="session id (default: the date and time)")
        sub.add_argument("--quiet", action="store_true", help="no countdown or progress")
        if name == "calibrate":
            sub.add_argument("--cores", type=int, default=2)
            sub.add_argument("snakemake_args", nargs="*", help="passed on to snakemake")
        sub.set_defaults(function=function)

    sub = commands.add_parser("simulate-headset", help="stream synthetic EEG on LSL")
    sub.add_argument("--name", default="eegdecode-sim")
    sub.add_argument("--channels", type=int, choices=(7, 14), default=7)
    sub.add_argument("--sfreq", type=float, choices=(128.0, 250.0), default=128.0)
    sub.add_argument("--user", default="demo", help="whose spectral signature to simulate")
    sub.add_argument("--seed", type=int, default=0)
    sub.add_argument("--duration", type=float, help="seconds (default: until Ctrl-C)")
    sub.set_defaults(function=simulate_headset)

    sub = commands.add_parser("live", help="print and publish P(focused) and P(workload)")
    common(sub)
    sub.add_argument("--user", help="use this user's fine-tuned model when there is one")
    sub.add_argument(
        "--workload-model",
        help="the cognitive-load model's folder (default: the one workload.live names)",
    )
    sub.add_argument("--duration", type=float, help="seconds (default: until Ctrl-C)")
    sub.set_defaults(function=live)

    sub = commands.add_parser("check-config", help=check_config.__doc__.splitlines()[0])
    configfile_option(sub)
    sub.set_defaults(function=check_config)

    sub = commands.add_parser("export-onnx", help=export_onnx.__doc__.splitlines()[0])
    sub.add_argument("folder", help="a deployed model's folder (rule train_workload_model)")
    sub.add_argument("--output", help="the .onnx file (default: <folder>.onnx)")
    sub.add_argument("--opset", type=int, default=18)
    sub.set_defaults(function=export_onnx)

    sub = commands.add_parser("import-xdf", help="convert a LabRecorder .xdf to a session")
    common(sub, stream=False)
    sub.add_argument("file")
    sub.add_argument("--user", required=True)
    sub.add_argument("--session", required=True)
    sub.add_argument("--stream-name", help="the EEG stream in the file (default: type EEG)")
    sub.set_defaults(function=import_xdf)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(message)s")
    logger.setLevel(logging.INFO if args.verbose else logging.WARNING)
    args.function(args)


if __name__ == "__main__":
    main()
