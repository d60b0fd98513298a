"""The ``eegdecode`` command explains itself: its version, each subcommand's description and
examples, every option's help and default, the workflow's targets, and the docs page generated
from the same parser."""

import argparse
import importlib.metadata
import importlib.util
import re
import shlex
from pathlib import Path

import markdown
import pytest
import yaml

import eegdecode
from eegdecode.cli import (
    WORKFLOW_TARGETS,
    build_parser,
    help_with_default,
    main,
    shown_default,
    subcommand_parsers,
)
from tests.docs_hooks import load_docs_hook

REPO = Path(__file__).resolve().parents[1]
SUBCOMMANDS = subcommand_parsers(build_parser())


def example_commands(parser: argparse.ArgumentParser) -> list[list[str]]:
    """The example invocations of a subcommand's epilog, each without ``eegdecode``."""
    lines = [line.strip() for line in parser.epilog.splitlines()[1:]]
    return [shlex.split(line)[1:] for line in lines if line.startswith("eegdecode ")]


def documented_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The parser's arguments and options, without ``--help`` and the subcommands."""
    skipped = (argparse._HelpAction, argparse._SubParsersAction)
    return [action for action in parser._actions if not isinstance(action, skipped)]


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"eegdecode {eegdecode.__version__}\n"
    assert eegdecode.__version__ == importlib.metadata.version("eegdecode")


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_a_description_and_examples(name, capsys):
    with pytest.raises(SystemExit):
        main([name, "--help"])
    shown = capsys.readouterr().out
    sub = SUBCOMMANDS[name]
    assert len(sub.description.split()) >= 10
    # Raw formatting: the description and the examples keep their lines.
    assert sub.description.splitlines()[0] in shown
    examples = example_commands(sub)
    assert examples and all(example[0] == name for example in examples)
    for line in sub.epilog.splitlines():
        assert line in shown


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_the_examples_parse_and_name_files_that_are_there(name):
    parser = build_parser()
    for example in example_commands(SUBCOMMANDS[name]):
        args = parser.parse_args(example)
        assert args.function.__name__ == name.replace("-", "_")
        for word in example:
            if word.startswith("config/"):
                assert (REPO / word).is_file(), word


def test_the_examples_find_the_simulated_headset_by_its_name_and_source_id():
    from eegdecode.lsl.simulate import SimulatedHeadset

    parser = build_parser()
    default_name = parser.parse_args(["simulate-headset"]).stream_name
    for name in ("record", "calibrate", "live", "serve"):
        for example in example_commands(SUBCOMMANDS[name]):
            args = parser.parse_args(example)
            if args.stream_name is not None:
                assert args.stream_name == default_name, example
            if args.source_id is not None:
                headset = SimulatedHeadset(name=default_name, user=args.user)
                assert args.source_id == headset.source_id, example


def test_the_export_example_names_the_model_that_workload_live_names():
    live = yaml.safe_load((REPO / "config/config.yaml").read_text())["workload"]["live"]
    folder = f"results/workload/{live['dataset']}/models/{live['model']}"
    folders = [example[1] for example in example_commands(SUBCOMMANDS["export-onnx"])]
    assert folders and set(folders) == {folder}
    rules = (REPO / "rules/mental_state.smk").read_text()
    assert 'directory("results/workload/{dataset}/models/{model}")' in rules


@pytest.mark.parametrize("name", ["eegdecode", *SUBCOMMANDS])
def test_every_option_has_help_and_shows_its_default(name):
    parser = build_parser() if name == "eegdecode" else SUBCOMMANDS[name]
    shown = parser.format_help()
    for action in documented_actions(parser):
        assert action.help, action.dest
        text = help_with_default(action)
        assert " ".join(text.split()) in " ".join(shown.split())
        is_flag = action.nargs == 0
        takes_default = action.option_strings and not (action.required or is_flag)
        if takes_default:
            assert "default" in text, action.dest
        if shown_default(action) is not None:
            assert text.endswith(f"(default: {shown_default(action)})"), action.dest


def test_the_stream_is_named_by_stream_name_everywhere(capsys):
    options = {
        option
        for sub in SUBCOMMANDS.values()
        for action in sub._actions
        for option in action.option_strings
    }
    assert "--stream-name" in options and "--name" not in options
    args = build_parser().parse_args(["simulate-headset", "--stream-name", "test-stream"])
    assert args.stream_name == "test-stream"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["simulate-headset", "--name", "test-stream"])
    assert "unrecognized arguments: --name" in capsys.readouterr().err


def test_the_target_list_is_the_workflows():
    sources = [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]
    rules = {
        name
        for source in sources
        for name in re.findall(r"^rule (all|\w+_all):", source.read_text(), re.MULTILINE)
    }
    assert set(WORKFLOW_TARGETS) == rules


def test_the_top_level_help_names_snakemake_and_every_target(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "snakemake <target>" in shown
    for target in WORKFLOW_TARGETS:
        assert re.search(rf"^  {target} ", shown, re.MULTILINE), target


def test_import_xdf_of_a_missing_file_says_so(tmp_path):
    missing = tmp_path / "missing.xdf"
    command = ["import-xdf", str(missing), "--user", "alice", "--session", "s1"]
    with pytest.raises(SystemExit, match="does not exist"):
        main([*command, "--results", str(tmp_path / "results")])
    assert not (tmp_path / "results").exists()


def test_the_docs_page_lists_every_subcommand_option_and_example():
    hook = load_docs_hook("cli_reference")
    page = (REPO / "docs" / hook.PAGE).read_text()
    assert hook.MARKER in page
    text = hook.cli_reference_markdown(build_parser())
    html = markdown.markdown(text, extensions=["attr_list", "tables", "fenced_code"])
    for target in WORKFLOW_TARGETS:
        assert f"<code>{target}</code>" in html
    for name, sub in SUBCOMMANDS.items():
        assert f'id="{name}"' in html
        for action in documented_actions(sub):
            assert f"<code>{hook._invocation(sub, action)}</code>" in html, action.dest
        for example in example_commands(sub):
            assert shlex.join(["eegdecode", *example]) in text
    assert "&lt;results&gt;/calibration/&lt;user&gt;" in html
