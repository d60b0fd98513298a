"""MkDocs hook that writes the command-line reference from the ``eegdecode`` parser.

On ``reference/cli.md`` the line ``<!-- cli-reference -->`` is replaced by the workflow's
targets, the global options, and a section per subcommand with its description, usage, options
(each with its default) and examples, all taken from ``eegdecode.cli.build_parser()``, so the
page says what ``eegdecode <command> --help`` says.
"""

import argparse
import textwrap

from eegdecode.cli import WORKFLOW_TARGETS, build_parser, help_with_default, subcommand_parsers

PAGE = "reference/cli.md"
MARKER = "<!-- cli-reference -->"


def escape_text(text: str) -> str:
    """Markdown-escape help text, so that ``<folder>`` and ``*`` stay text."""
    text = text.replace("\\", "\\\\")
    for character in "*_[]|`":
        text = text.replace(character, "\\" + character)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _invocation(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """The option as ``--help`` lists it: ``--results FOLDER``, ``-v, --verbose``."""
    # argparse has no public way to ask for this.
    return parser._get_formatter()._format_action_invocation(action)


def options_table(parser: argparse.ArgumentParser) -> list[str]:
    """A Markdown table of the parser's arguments and options (``--help`` left out)."""
    lines = ["| option | description |", "|---|---|"]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        text = escape_text(help_with_default(action))
        if action.required:
            text += " (required)"
        lines.append(f"| `{_invocation(parser, action)}` | {text} |")
    return lines


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    """The examples of the parser's epilog, as a shell code block."""
    body = parser.epilog.split("\n", 1)[1]
    return ["```bash", textwrap.dedent(body).strip("\n"), "```"]


def cli_reference_markdown(parser: argparse.ArgumentParser) -> str:
    """The command-line reference in Markdown: targets, global options, one section per
    subcommand."""
    lines = ["## Workflow targets", ""]
    lines += [
        "Run from the workflow's folder as `snakemake <target> --cores 8`, with",
        "`--configfile FILE` for a preset or a config of your own.",
        "",
        "| target | what it runs |",
        "|---|---|",
    ]
    lines += [
        f"| `{name}` | {escape_text(summary)} |" for name, summary in WORKFLOW_TARGETS.items()
    ]
    lines += ["", "## Global options", "", *options_table(parser), ""]
    for name, sub in subcommand_parsers(parser).items():
        lines += [f"## `eegdecode {name}` {{#{name}}}", "", escape_text(sub.description), ""]
        lines += ["```text", sub.format_usage().strip(), "```", ""]
        lines += [*options_table(sub), "", "Examples:", "", *_examples(sub), ""]
    return "\n".join(lines)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Replace the marker line of the command-line page by the generated reference."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker line {MARKER!r}.")
    return markdown.replace(MARKER, cli_reference_markdown(build_parser()), 1)
