"""The ``eegdecode`` command: record calibration sessions from an LSL headset, simulate one,
fine-tune through the workflow, and predict focus live."""

import argparse
import logging
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
    from .lsl.calibration import session_file

    try:
        return session_file(results, user, session)
    except ValueError as error:
        raise SystemExit(str(error)) from None


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
    from .lsl.calibration import run_finetune

    record(args)
    try:
        target = run_finetune(
            args.results, args.user, cores=args.cores, configfiles=args.configfile,
            snakemake_args=args.snakemake_args, output=lambda line: print(line, file=sys.stderr),
        )  # fmt: skip
    except RuntimeError as error:
        raise SystemExit(str(error)) from None
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
    started = time.time()
    with headset:
        try:
            end = started + args.duration if args.duration else float("inf")
            while time.time() < end:
                time.sleep(0.2)
                elapsed = time.time() - started
                if args.focus_cycle_s:
                    focused = int(elapsed // args.focus_cycle_s) % 2 == 1
                    headset.state = "focused" if focused else "unfocused"
                if args.workload_cycle_s:
                    headset.workload = int(elapsed // args.workload_cycle_s) % 2 == 1
        except KeyboardInterrupt:
            pass


def _workload_model(args, config: dict):
    """The cognitive-load model ``--workload-model`` names, else the one ``workload.live``
    names if the workflow has trained it, else None."""
    from .lsl.live import WorkloadModel

    live_load = config["workload"]["live"]
    folder = Path(args.workload_model or Path(args.results) / "workload" / live_load["dataset"]
                  / "models" / live_load["model"])  # fmt: skip
    if not (args.workload_model or folder.is_dir()):
        print(f"cognitive load: no model at {folder} (snakemake workload_all writes it)",
              file=sys.stderr)  # fmt: skip
        return None
    try:
        workload = WorkloadModel(folder)
    except (OSError, ValueError) as error:
        raise SystemExit(str(error)) from None
    print(f"cognitive load: {workload.description}", file=sys.stderr)
    return workload


def live(args) -> None:
    from .lsl.live import FocusModelSelector, focus_model_paths, run_live

    config = _load_workflow_config(args.configfile)
    settings = config["calibration"]
    base, pointer = focus_model_paths(args.results, args.user)
    selector = FocusModelSelector(base, pointer)
    workload = _workload_model(args, config)

    def report(prediction):
        focus, load = prediction.focus, prediction.load
        text = "filling the buffer" if focus is None else f"P(focused) = {focus:.2f}"
        when = time.strftime("%H:%M:%S", time.localtime(prediction.time))
        line = f"{when}  {text}  [{prediction.model}]"
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


def serve(args) -> None:
    """Serve the live page: focus bulb, load-driven video, signal quality and calibration."""
    import importlib.util

    if importlib.util.find_spec("flask") is None:
        raise SystemExit("eegdecode serve needs Flask: pip install -e '.[web]' in the clone.")
    from .lsl.recorder import ProtocolStep
    from .web.app import serve as serve_page
    from .web.calibration import CalibrationRunner
    from .web.events import EventHub
    from .web.monitor import LiveMonitor

    config = _load_workflow_config(args.configfile)
    settings = config["calibration"]
    stream = {"name": args.stream_name, "stream_type": args.stream_type,
              "source_id": args.source_id}  # fmt: skip
    hub = EventHub()
    monitor = LiveMonitor(hub, stream=stream, results=args.results,
                          workload=_workload_model(args, config), **settings["live"])  # fmt: skip
    try:
        calibration = CalibrationRunner(
            hub, stream=stream, protocol=ProtocolStep.from_config(settings["protocol"]),
            classes=list(settings["classes"]), sfreq=settings["features"]["sfreq"],
            results=args.results, cores=args.cores, configfiles=args.configfile,
            snakemake_args=args.snakemake_args,
        )  # fmt: skip
        serve_page(
            host=args.host, port=args.port, monitor=monitor, calibration=calibration, hub=hub,
            video=args.video, ready=lambda url: print(f"Serving {url}", file=sys.stderr,
                                                      flush=True),
        )  # fmt: skip
    except (OSError, ValueError) as error:
        raise SystemExit(str(error)) from None


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
    sub.add_argument(
        "--focus-cycle-s", type=float,
        help="switch the user between unfocused and focused every this many seconds (for the "
        "live view; it overrides a calibration's phases, so leave it out when calibrating)",
    )  # fmt: skip
    sub.add_argument(
        "--workload-cycle-s",
        type=float,
        help="switch between low and high cognitive load every this many seconds",
    )
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

    sub = commands.add_parser("serve", help=serve.__doc__.splitlines()[0])
    configfile_option(sub)
    sub.add_argument("--results", default="results", help="the workflow's results folder")
    _add_stream_options(sub)
    sub.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: this machine only)")  # fmt: skip
    sub.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free)")
    sub.add_argument("--workload-model", help="as for live")
    sub.add_argument("--video", help="the clip whose speed follows the load (default: bundled)")
    sub.add_argument("--cores", type=int, default=2, help="cores of the fine-tuning run")
    sub.add_argument("snakemake_args", nargs="*", help="passed on to snakemake (after --)")
    sub.set_defaults(function=serve)

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
