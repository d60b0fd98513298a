"""The documentation: the site builds without a warning, names only targets, subcommands and
config keys that exist (and every target and subcommand somewhere), the README's test command
is the one CI runs, and nothing points at the project's internal planning files."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from eegdecode.cli import build_parser, subcommand_parsers

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = sorted(DOCS.rglob("*.md"))


def _text(paths):
    return "\n".join(path.read_text() for path in paths)


def _targets():
    """The workflow's `*_all` rules and `all`, from the Snakefile and the rules files."""
    sources = [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]
    return set(re.findall(r"^rule (all|\w+_all):", _text(sources), re.MULTILINE))


def _subcommands():
    return set(subcommand_parsers(build_parser()))


def _schema_keys():
    """Every dotted key of the config schema, with `*` for a name the user chooses."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    keys = set()

    def walk(node, prefix):
        if not isinstance(node, dict):
            return
        for name, child in node.get("properties", {}).items():
            keys.add(prefix + name)
            walk(child, prefix + name + ".")
        for branch in ("additionalProperties", "items"):
            if isinstance(node.get(branch), dict):
                walk(node[branch], prefix + "*.")
        for combined in ("allOf", "anyOf", "oneOf"):
            for part in node.get(combined, []):
                walk(part, prefix)
        for part in ("then", "else"):
            walk(node.get(part), prefix)
        if "$ref" in node:
            walk(schema["$defs"][node["$ref"].split("/")[-1]], prefix)

    walk(schema, "")
    return keys


@pytest.mark.slow
def test_the_site_builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    site = tmp_path / "site"
    # Nothing loads from outside the site: no remote script, style, font or image.
    for page in site.rglob("*.html"):
        remote = re.findall(r'(?:src|href)="(https?://[^"]+)"', page.read_text())
        loaded = [url for url in remote if re.search(r"\.(js|css|woff2?|png|svg)(\?|$)", url)]
        assert not loaded, (page, loaded)


def test_every_target_named_exists_and_every_target_is_documented():
    targets, text = _targets(), _text([README, *PAGES])
    named = set(re.findall(r"snakemake (\w+)", text)) - {"validation_all"} | set(
        re.findall(r"`(\w+_all)`", text)
    )
    assert named <= targets | {"validation_all"}, named - targets
    assert {"validation_all"} <= targets
    undocumented = {t for t in targets if f"`{t}`" not in text and f"snakemake {t}" not in text}
    assert not undocumented


def test_every_subcommand_named_exists_and_every_subcommand_is_documented():
    subcommands, text = _subcommands(), _text([README, *PAGES])
    # As a command: in a code block or span, maybe after a path (.venv/bin/eegdecode).
    code = "\n".join(re.findall(r"```.*?```|`[^`\n]+`", text, re.DOTALL))
    named = set(re.findall(r"(?:^|`|/)eegdecode ([a-z][a-z-]+)", code, re.MULTILINE))
    assert named <= subcommands, named - subcommands
    assert {s for s in subcommands if f"eegdecode {s}" not in text} == set()


def _is_key(name, keys):
    """Whether a dotted name is a schema key, a user-chosen name standing where `*` is."""
    return any(re.fullmatch(re.escape(key).replace(r"\*", r"[\w-]+"), name) for key in keys)


def test_every_config_key_linked_or_quoted_exists():
    keys, text = _schema_keys(), _text([README, *PAGES])
    top = {key for key in keys if "." not in key}
    linked = set(re.findall(r"configuration\.md#([\w.*-]+)", text))
    assert linked <= keys, linked - keys
    # A dotted name in a code span that starts with a top-level key, except file names
    # (`audio.wav`).
    quoted = {
        name
        for name in re.findall(r"`([a-z_0-9]+(?:\.[a-z_0-9*-]+)+)`", text)
        if name.split(".")[0] in top
        and not re.fullmatch(r"\w+\.(wav|h5|json|csv|png|mat|txt|yaml)", name)
    }
    assert {name for name in quoted if not _is_key(name, keys)} == set()


def test_the_readme_test_command_is_the_one_ci_runs():
    readme, ci = README.read_text(), (ROOT / ".ci/run").read_text()
    commands = re.findall(r"```bash\n(python3 -m venv .*)\n```", readme)
    assert len(commands) == 2, commands
    main, tests = commands
    assert "snakemake eeg2video_all" in main
    assert tests.endswith(".venv/bin/python -m pytest") and tests in ci


def test_readme_is_short():
    assert len(README.read_text().splitlines()) <= 250


@pytest.mark.parametrize("pattern", [r"\.\./shared", r"spec §", r"\bissue \d+", r"seeds/"])
def test_the_docs_speak_of_the_project_alone(pattern):
    for path in [README, *PAGES]:
        assert not re.search(pattern, path.read_text()), (path, pattern)
