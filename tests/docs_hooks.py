"""Loading the docs site's mkdocs hooks (docs/hooks/, not a package) in the tests."""

import importlib.util
import sys
from pathlib import Path

HOOKS = Path(__file__).resolve().parents[1] / "docs" / "hooks"


def load_docs_hook(name: str):
    """The module docs/hooks/<name>.py, imported under the name ``<name>_hook``."""
    spec = importlib.util.spec_from_file_location(f"{name}_hook", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
