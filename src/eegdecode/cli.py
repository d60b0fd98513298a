"""The ``eegdecode`` command: record calibration sessions from an LSL headset, simulate one,
fine-tune through the workflow, predict focus and cognitive load live, check a config and
export a model. The workflow's own stages run through ``snakemake``; ``eegdecode --help``
names its targets."""

import argparse
import logging
import sys
import textwrap
import time
from pathlib import Path

from . import __version__
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
    """Stream synthetic EEG until Ctrl-C or ``--duration``."""
    from .lsl.simulate import SimulatedHeadset

    headset = SimulatedHeadset(
        name=args.stream_name,
        n_channels=args.channels,
        sfreq=args.sfreq,
        user=args.user,
        seed=args.seed,
    )
    print(
        f"Streaming {args.stream_name}: {args.channels} channels at {args.sfreq:g} Hz, "
        f"signature of user {args.user!r}. Ctrl-C stops.",
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
    """Print and publish the predictions until Ctrl-C or ``--duration``."""
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
    """Save a LabRecorder file's EEG and markers as a calibration session."""
    from .lsl.xdf import import_xdf as convert

    path = session_path(args.results, args.user, args.session)
    try:
        session = convert(
            args.file, user=args.user, session=args.session, stream_name=args.stream_name
        )
    except (OSError, ValueError) as error:
        raise SystemExit(str(error)) from None
    session.save(path)
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


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and examples, and shows each option's default
    (:func:`help_with_default`)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        # argparse expands %-formats in help texts; ours hold none, so a % is a percent sign.
        return help_with_default(action).replace("%", "%%")


def shown_default(action: argparse.Action) -> str | None:
    """The default the help shows for ``action``, or None for one that has nothing to show: a
    required option, a flag, an empty list or no value."""
    default = action.default
    if action.required or default is None or default is argparse.SUPPRESS:
        return None
    if isinstance(default, bool) or default == []:
        return None
    return str(default)


def help_with_default(action: argparse.Action) -> str:
    """The help of ``action`` ending with its default, unless the help already says what
    happens without the option."""
    text = action.help or ""
    default = shown_default(action)
    if default is None or "default" in text:
        return text
    return f"{text} (default: {default})"


#: The workflow's targets (``rule <name>`` in the Snakefile), for ``snakemake <target>``.
WORKFLOW_TARGETS = {
    "all": "every system below except validation_all (the default target)",
    "eeg2video_all": "EEG → video on SEED-DV, from preprocessing to generated clips",
    "preprocess_all": "EEG → video: clips, sliding windows and DE/PSD features",
    "stimulus_all": "EEG → video: stimulus frames, their latents and caption embeddings",
    "eegvp_all": "EEG → video: the EEG-VP classification benchmark",
    "encoders_all": "EEG → video: the GLMNet, semantic, dynamic and seq2seq encoders",
    "audio_all": "sEEG → audio",
    "calibration_all": "the base focus model and every recorded user's fine-tuned one",
    "emotion_all": "emotion on DREAMER",
    "workload_all": "cognitive load on STEW, and the model that live and serve use",
    "fusion_all": "EEG + face fusion on DEAP",
    "eeg2image_all": "EEG → image on EEG-ImageNet",
    "validation_all": "every system's planted, null and confound demos against their bounds",
}

DESCRIPTION = """\
The headset side of eegdecode: record focus-calibration sessions from an LSL headset (or
import them from LabRecorder), simulate a headset, predict focus and cognitive load live in
the terminal or on a web page, check a config, and export a cognitive-load model to ONNX.
Run it from the workflow's folder: it reads config/config.yaml, and the sessions and models
under results/."""


def _workflow_epilog() -> str:
    width = max(len(name) for name in WORKFLOW_TARGETS)
    targets = "\n".join(
        f"  {name:<{width}}  {summary}" for name, summary in WORKFLOW_TARGETS.items()
    )
    return (
        "The pipeline itself runs through snakemake, from the same folder:\n"
        "  snakemake <target> --cores 8 [--configfile FILE]\n"
        f"targets:\n{targets}\n\n"
        "eegdecode <command> --help describes each command, with examples."
    )


def _examples(text: str) -> str:
    """An epilog of example invocations, one a line, ``#`` lines saying what they need."""
    return "examples:\n" + textwrap.indent(textwrap.dedent(text).strip("\n"), "  ")


def _add_configfile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--configfile",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML merged over config/config.yaml, as snakemake merges it (repeatable; "
        "default: none)",
    )


def _add_results_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--results", default="results", metavar="FOLDER", help="the workflow's results folder"
    )


def _add_stream_options(parser: argparse.ArgumentParser, timeout: bool = True) -> None:
    group = parser.add_argument_group("which LSL stream (every given property must match)")
    group.add_argument(
        "--stream-name", metavar="NAME", help="stream name, e.g. eegdecode-sim (default: any)"
    )
    group.add_argument("--stream-type", default="EEG", metavar="TYPE", help="stream type")
    group.add_argument("--source-id", metavar="ID", help="the stream's source id (default: any)")
    if timeout:
        group.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="how long to look for the stream",
        )


def _add_workload_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workload-model",
        metavar="FOLDER",
        help="the cognitive-load model's folder (default: the one the config's workload.live "
        "names, once snakemake workload_all has trained it; none without it)",
    )


def _add_fine_tuning_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cores",
        type=int,
        default=2,
        help="cores of the snakemake run that fine-tunes the focus model",
    )
    parser.add_argument(
        "snakemake_args",
        nargs="*",
        default=[],
        metavar="SNAKEMAKE_ARG",
        help="passed on to the snakemake run that fine-tunes the focus model; put -- before them",
    )


def _add_subcommand(
    commands, name: str, function, summary: str, description: str, examples: str
) -> argparse.ArgumentParser:
    sub = commands.add_parser(
        name,
        help=summary,
        description=textwrap.dedent(description).strip(),
        epilog=_examples(examples),
        formatter_class=HelpFormatter,
    )
    sub.set_defaults(function=function)
    return sub


def build_parser() -> argparse.ArgumentParser:
    """The ``eegdecode`` parser: one subcommand per task, each with its examples."""
    parser = argparse.ArgumentParser(
        prog="eegdecode",
        description=DESCRIPTION,
        epilog=_workflow_epilog(),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    sub = _add_subcommand(
        commands,
        "record",
        record,
        "record one calibration session from an LSL stream",
        """
        Walk the user through the calibration protocol (calibration.protocol in the config)
        in the terminal while recording the headset's LSL stream and sending the phase
        markers on the LSL stream eegdecode-markers. The session is saved to
        <results>/calibration/<user>/<session>/session.h5, where snakemake calibration_all
        finds it. Ctrl-C saves what was recorded as an incomplete session and exits with
        code 130.
        """,
        """
        # with a simulated headset in another terminal: eegdecode simulate-headset --user alice
        eegdecode record --user alice --stream-name eegdecode-sim
        # the stream by its source id (the simulated headset's is eegdecode-sim-<user>)
        eegdecode record --user alice --session morning --source-id eegdecode-sim-alice --quiet
        """,
    )
    _add_recording_options(sub)

    sub = _add_subcommand(
        commands,
        "calibrate",
        calibrate,
        "record a session, then fine-tune the user's focus model on it",
        """
        Run eegdecode record, then the snakemake run that fine-tunes the user's focus model on
        every complete session of theirs (target <results>/focus/users/<user>/current.json;
        the first run also trains the base focus model). eegdecode live and serve use the
        new model as soon as it is written.
        """,
        """
        # with a simulated headset in another terminal: eegdecode simulate-headset --user alice
        eegdecode calibrate --user alice --stream-name eegdecode-sim
        eegdecode calibrate --user alice --stream-name eegdecode-sim --cores 4 -- --printshellcmds
        """,
    )
    _add_recording_options(sub)
    _add_fine_tuning_options(sub)

    sub = _add_subcommand(
        commands,
        "simulate-headset",
        simulate_headset,
        "stream synthetic EEG on LSL, as a headset would",
        """
        Stream synthetic EEG (type EEG) in real time, with a spectral signature of the given
        user's own. The simulated user follows the phase markers of a recording of this
        stream (focused, then relaxed), or switches state on a fixed cycle; it runs until
        Ctrl-C or for --duration seconds.
        """,
        """
        eegdecode simulate-headset --user alice
        # for the live page: the user's focus and load change every 20 s and 15 s
        eegdecode simulate-headset --user alice --focus-cycle-s 20 --workload-cycle-s 15
        eegdecode simulate-headset --stream-name bench --channels 14 --sfreq 250 --duration 60
        """,
    )
    sub.add_argument(
        "--stream-name", default="eegdecode-sim", metavar="NAME", help="the LSL stream's name"
    )
    sub.add_argument(
        "--channels",
        type=int,
        choices=(7, 14),
        default=7,
        help="7: the focus montage; 14: the Emotiv EPOC's channels",
    )
    sub.add_argument(
        "--sfreq", type=float, choices=(128.0, 250.0), default=128.0, help="samples a second"
    )
    sub.add_argument("--user", default="demo", help="whose spectral signature to simulate")
    sub.add_argument("--seed", type=int, default=0, help="seed of the random signal")
    sub.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="how long to stream (default: until Ctrl-C)",
    )
    sub.add_argument(
        "--focus-cycle-s",
        type=float,
        metavar="SECONDS",
        help="switch the user between unfocused and focused every this many seconds (for the "
        "live view; it overrides a calibration's phases, so leave it out when calibrating; "
        "default: the recorders' markers set the state)",
    )
    sub.add_argument(
        "--workload-cycle-s",
        type=float,
        metavar="SECONDS",
        help="switch between low and high cognitive load every this many seconds (default: "
        "low load throughout)",
    )

    sub = _add_subcommand(
        commands,
        "live",
        live,
        "print and publish P(focused) and P(workload) from a stream",
        """
        Predict focus every calibration.live.step_s seconds from the stream, print each
        prediction with the model that made it, and publish it on the LSL stream
        eegdecode-focus. Once a cognitive-load model is there, P(workload) is printed beside
        it and published on eegdecode-workload. The focus model is the user's current
        fine-tuned one, else the base model (snakemake calibration_all trains it).
        """,
        """
        # with a simulated headset in another terminal: eegdecode simulate-headset --user alice
        eegdecode live --stream-name eegdecode-sim
        eegdecode live --user alice --stream-name eegdecode-sim --duration 60
        """,
    )
    _add_configfile_option(sub)
    _add_results_option(sub)
    _add_stream_options(sub)
    sub.add_argument(
        "--user",
        help="use this user's fine-tuned focus model when there is one (default: the base model)",
    )
    _add_workload_model_option(sub)
    sub.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="how long to predict (default: until Ctrl-C)",
    )

    sub = _add_subcommand(
        commands,
        "serve",
        serve,
        "serve the live page: focus, load, signal and calibration",
        """
        Serve the live page: a bulb whose brightness is P(focused), a video whose speed
        follows the cognitive load, the focus channels' signal and quality, and the focus
        calibration, run from the page (it records as eegdecode record does and fine-tunes
        as eegdecode calibrate does). Needs Flask: pip install -e '.[web]'.
        """,
        """
        # with a simulated headset in another terminal: eegdecode simulate-headset --user alice
        eegdecode serve --stream-name eegdecode-sim
        # the first stream of type EEG, reachable from other machines on port 8080
        eegdecode serve --host 0.0.0.0 --port 8080
        """,
    )
    _add_configfile_option(sub)
    _add_results_option(sub)
    _add_stream_options(sub, timeout=False)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sub.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one")
    _add_workload_model_option(sub)
    sub.add_argument(
        "--video",
        metavar="FILE",
        help="the clip whose speed follows the load (default: the bundled one)",
    )
    _add_fine_tuning_options(sub)

    sub = _add_subcommand(
        commands,
        "check-config",
        check_config,
        "check the config files as the workflow will parse them",
        """
        Check config/config.yaml, with any --configfile merged over it, as the workflow will
        parse it, without running anything. YAML syntax errors name the file and line;
        schema errors, keys that contradict each other and paths still to set name the key.
        """,
        """
        eegdecode check-config
        # a preset names the paths to set until they are right
        eegdecode check-config --configfile config/stew.yaml
        """,
    )
    _add_configfile_option(sub)

    sub = _add_subcommand(
        commands,
        "export-onnx",
        export_onnx,
        "write a cognitive-load model as ONNX",
        """
        Write a deployed cognitive-load model (a folder of rule train_workload_model) as an
        ONNX file, check its output against PyTorch's with ONNX Runtime, and print the
        check's result as JSON.
        """,
        """
        # after snakemake workload_all
        eegdecode export-onnx results/workload/demo/models/bilstm_7ch
        eegdecode export-onnx results/workload/demo/models/bilstm_7ch --output bilstm.onnx
        """,
    )
    sub.add_argument("folder", help="the model's folder")
    sub.add_argument(
        "--output", metavar="FILE", help="the .onnx file to write (default: <folder>.onnx)"
    )
    sub.add_argument("--opset", type=int, default=18, help="the ONNX operator set version")

    sub = _add_subcommand(
        commands,
        "import-xdf",
        import_xdf,
        "convert a LabRecorder .xdf file to a session",
        """
        Convert a LabRecorder .xdf file into a calibration session, saved where eegdecode
        record saves one (<results>/calibration/<user>/<session>/session.h5). The file must
        hold the EEG stream and the eegdecode-markers stream of the recorder
        (eegdecode record, or the live page's calibration) that ran while LabRecorder
        recorded.
        """,
        """
        eegdecode import-xdf recording.xdf --user alice --session lab1
        # a file with several EEG streams: name the headset's
        eegdecode import-xdf recording.xdf --user alice --session lab2 --stream-name eegdecode-sim
        """,
    )
    sub.add_argument("file", help="the .xdf file")
    _add_results_option(sub)
    sub.add_argument("--user", required=True, help="whose session it is")
    sub.add_argument("--session", required=True, help="the session's name")
    sub.add_argument(
        "--stream-name",
        metavar="NAME",
        help="the EEG stream in the file (default: the first of type EEG)",
    )
    return parser


def _add_recording_options(parser: argparse.ArgumentParser) -> None:
    """The options of record and calibrate."""
    _add_configfile_option(parser)
    _add_results_option(parser)
    _add_stream_options(parser)
    parser.add_argument("--user", required=True, help="whose session it is")
    parser.add_argument("--session", help="the session's name (default: the date and time)")
    parser.add_argument("--quiet", action="store_true", help="no countdown or progress")


def subcommand_parsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser by name, in the order ``eegdecode --help`` lists them."""
    # argparse keeps its subparsers only in this private action.
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return dict(commands.choices)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="%(message)s")
    logger.setLevel(logging.INFO if args.verbose else logging.WARNING)
    args.function(args)


if __name__ == "__main__":
    main()
