import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from eegdecode.provenance import code_fingerprint, imported_modules

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "workflow/scripts"

# A package laid out like eegdecode: subpackages whose __init__.py re-export their modules.
FAKE = {
    "__init__.py": '"""Fake."""\nfrom ._util import helper\n\nVERSION = "1"\n',
    "_util.py": "def helper():\n    return 1\n",
    "other.py": "X = 1\n",
    "sub/__init__.py": (
        "from .a import fa\nfrom .b import fb\nfrom . import c\n\n__all__ = ['c', 'fa', 'fb']\n"
    ),
    "sub/a.py": (
        "from .._util import helper\n\n\ndef fa():\n    from .lazy import fl\n\n"
        "    return fl() + helper()\n"
    ),
    "sub/b.py": "import numpy\n\n\ndef fb():\n    return numpy.ones(2)\n",
    "sub/c.py": "C = 3\n",
    "sub/lazy.py": "from ..deep import fd\n\n\ndef fl():\n    return fd()\n",
    "deep/__init__.py": "from .d import fd\n",
    "deep/d.py": "def fd():\n    return 4\n",
}
# What `from fakepkg.sub import fa` reaches: a, its lazy import, and what both import.
REACHED = ("fakepkg._util", "fakepkg.deep.d", "fakepkg.sub.a", "fakepkg.sub.lazy")
# What the whole subpackage reaches: its __init__.py and everything it re-exports.
WHOLE_SUB = tuple(sorted({*REACHED, "fakepkg.sub", "fakepkg.sub.b", "fakepkg.sub.c"}))


@pytest.fixture
def fake(tmp_path):
    """The fake package under tmp_path/fakepkg and a script that imports one function of it."""
    for name, source in FAKE.items():
        path = tmp_path / "fakepkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    script = tmp_path / "script.py"
    script.write_text("import os\n\nfrom fakepkg.sub import fa\n\nprint(fa(), os.sep)\n")
    return tmp_path / "fakepkg", script


def _fingerprint(fake):
    root, script = fake
    return code_fingerprint(script, package="fakepkg", root=root)


def _append(path, text="\nADDED = 1\n"):
    path.write_text(path.read_text() + text)


def test_only_the_modules_a_script_reaches_count(fake):
    root, script = fake
    assert imported_modules(script, package="fakepkg", root=root) == REACHED


@pytest.mark.parametrize("module", ["sub/a.py", "sub/lazy.py", "_util.py", "deep/d.py"])
def test_editing_a_reached_module_changes_the_fingerprint(fake, module):
    before = _fingerprint(fake)
    _append(fake[0] / module)
    assert _fingerprint(fake) != before


@pytest.mark.parametrize(
    "module", ["sub/b.py", "sub/c.py", "other.py", "sub/__init__.py", "deep/__init__.py"]
)
def test_editing_an_unreached_module_keeps_the_fingerprint(fake, module):
    """Also sub/b.py, which sub/__init__.py re-exports beside the function the script uses."""
    before = _fingerprint(fake)
    _append(fake[0] / module, "\nfrom .b import fb as also_fb\n")
    assert _fingerprint(fake) == before


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("import fakepkg.sub", WHOLE_SUB),
        ("from fakepkg.sub import *", WHOLE_SUB),
        # A name the __init__.py defines itself: the __init__.py and what it imports.
        ("from fakepkg import VERSION", ("fakepkg", "fakepkg._util")),
        # Submodules, whether the __init__.py imports them (c) or not (other).
        ("from fakepkg.sub import c", ("fakepkg.sub.c",)),
        ("from fakepkg import other", ("fakepkg.other",)),
        ("import fakepkg.other as other", ("fakepkg.other",)),
        # Lazy, inside a function.
        ("def run():\n    from fakepkg.deep import fd", ("fakepkg.deep.d",)),
        # Other packages do not count.
        ("import numpy\nfrom os import path", ()),
    ],
)
def test_imports_resolve_to_the_modules_they_run(fake, statement, expected):
    root, script = fake
    script.write_text(statement + "\n")
    assert imported_modules(script, package="fakepkg", root=root) == expected


LAZY_SUB = (
    "import lazy_loader\n\n__getattr__, __dir__, __all__ = lazy_loader.attach(\n"
    "    __name__, submod_attrs={'a': ['fa'], 'b': ['fb'], 'c': ['C']}\n)\n"
)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("from fakepkg.sub import fa", REACHED),
        ("from fakepkg.sub import C", ("fakepkg.sub.c",)),
        ("import fakepkg.sub", WHOLE_SUB),
    ],
)
def test_lazy_re_exports_resolve_like_eager_ones(fake, statement, expected):
    """A subpackage that re-exports with lazy_loader.attach reaches what its eager twin does."""
    root, script = fake
    (root / "sub/__init__.py").write_text(LAZY_SUB)
    script.write_text(statement + "\n")
    assert imported_modules(script, package="fakepkg", root=root) == expected


def test_the_package_is_found_where_import_finds_it(fake, monkeypatch):
    monkeypatch.syspath_prepend(str(fake[0].parent))
    assert code_fingerprint(fake[1], package="fakepkg") == _fingerprint(fake)


def test_clear_errors(fake, tmp_path):
    root, script = fake
    with pytest.raises(ValueError, match=r"Script '.*missing\.py' does not exist\."):
        code_fingerprint(tmp_path / "missing.py", package="fakepkg", root=root)
    with pytest.raises(ValueError, match="Package 'nosuchpackage' cannot be found"):
        code_fingerprint(script, package="nosuchpackage")
    with pytest.raises(ValueError, match=r"is not a package folder: it has no __init__\.py"):
        code_fingerprint(script, package="fakepkg", root=tmp_path)
    (root / "sub/lazy.py").write_text("def broken(:\n")
    with pytest.raises(ValueError, match=r"lazy\.py' is not valid Python"):
        code_fingerprint(script, package="fakepkg", root=root)


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package's sources (never edit the real ones)."""
    copy = tmp_path / "src/eegdecode"
    shutil.copytree(REPO / "src/eegdecode", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_features_change_reruns_de_psd_not_segment(package_copy):
    def fingerprints():
        return {
            name: code_fingerprint(SCRIPTS / f"{name}.py", root=package_copy)
            for name in ("de_psd", "segment")
        }

    before = fingerprints()
    assert before == {name: code_fingerprint(SCRIPTS / f"{name}.py") for name in before}
    _append(package_copy / "signal/features.py", "\n_CHANGED = True\n")
    after = fingerprints()
    assert after["de_psd"] != before["de_psd"]
    assert after["segment"] == before["segment"]


def test_a_python_path_to_a_copy_fingerprints_the_copy(package_copy):
    _append(package_copy / "signal/features.py")
    environment = os.environ | {"PYTHONPATH": str(package_copy.parent)}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from eegdecode.provenance import code_fingerprint;"
         f"print(code_fingerprint({str(SCRIPTS / 'de_psd.py')!r}))"],
        capture_output=True, text=True, env=environment, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == code_fingerprint(SCRIPTS / "de_psd.py", root=package_copy)
    assert done.stdout.strip() != code_fingerprint(SCRIPTS / "de_psd.py")


def _rules():
    """(file, rule, its text) of every rule in rules/*.smk."""
    for path in sorted((REPO / "rules").glob("*.smk")):
        text = path.read_text()
        # Split before each `rule name:`: the pieces are the rules' names and texts, alternating.
        pieces = re.split(r"^ *rule (\w+):", text, flags=re.MULTILINE)[1:]
        for rule, body in zip(pieces[::2], pieces[1::2], strict=True):
            yield path.name, rule, body


def test_every_rule_with_code_carries_its_fingerprint():
    checked = 0
    for file, rule, text in _rules():
        script = re.search(r'script:\s*"\.\./workflow/scripts/([\w.]+)"', text)
        if script:
            expected = f'code=code("{script.group(1)}"),'
            assert expected in text, f"rule {rule} ({file}) lacks the param {expected}"
            checked += 1
        else:
            assert not re.search(r"^\s*(run|shell):", text, re.MULTILINE) or "code=" in text, (
                f"rule {rule} ({file}) runs code without a code= param"
            )
    assert checked == sum(
        path.read_text().count("script:") for path in (REPO / "rules").glob("*.smk")
    )
