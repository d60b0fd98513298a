"""Fingerprints of the package code a workflow job runs, so that changed code reruns its stage.

Each rule of the workflow carries, as a param, :func:`code_fingerprint` of its script: a short
SHA-256 of the source of the package modules that script imports, directly or through other
modules. Snakemake reruns a job whose params changed, so editing ``signal/features.py`` reruns
the DE/PSD jobs and what depends on them, and nothing else.

Which modules count is found by static analysis (:mod:`ast`), never by importing:

- every ``import`` and ``from … import`` of the package anywhere in a module counts, also those
  inside functions (lazy imports);
- ``import eegdecode.x``, ``from eegdecode import x`` where ``x`` is a submodule and
  ``from eegdecode.x import *`` count the whole module ``x`` and what it imports (for a
  subpackage: its ``__init__.py`` and everything that re-exports);
- ``from eegdecode.signal import de_psd`` is resolved through the re-exports of
  ``signal/__init__.py`` (eager ``from .features import de_psd`` or lazy
  ``lazy_loader.attach(__name__, submod_attrs={"features": ["de_psd"]})``) to the module that
  defines ``de_psd``, so that one re-exported function does not pull in its whole subpackage.
  An ``__init__.py`` counts only where a name it defines itself is imported
  (``from eegdecode import __version__``), or the package itself.

Non-Python files the package reads (none today) and third-party packages do not count.

Sources are found where the jobs will import them from (:func:`importlib.util.find_spec`): an
editable install gives ``src/``, a ``PYTHONPATH`` that points at a copy gives the copy.
"""

import ast
import hashlib
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "eegdecode"
# Hexadecimal digits of the SHA-256 that a fingerprint keeps.
FINGERPRINT_LENGTH = 16


@dataclass(frozen=True)
class _Module:
    """One parsed module of the package: its source, what it imports, what its top level binds.

    ``references`` are ``(module, None)`` for a whole module and ``(module, name)`` for a name
    imported from a module. ``bindings`` map each top-level import alias to the reference it
    stands for; ``own`` are the other names the top level binds (definitions, assignments).
    """

    is_package: bool
    source: bytes
    references: frozenset[tuple[str, str | None]]
    bindings: dict[str, tuple[str, str | None]]
    own: frozenset[str]


# Parsed files by (path, module name, modification time, size): within one process each file
# is parsed once, and a file changed meanwhile (tests) is parsed again.
_PARSED: dict[tuple[str, str | None, int, int], _Module] = {}


def code_fingerprint(
    script: str | Path, *, package: str = PACKAGE, root: str | Path | None = None
) -> str:
    """Fingerprint of the package code a script imports.

    Parameters
    ----------
    script : str | Path
        A Python file (a workflow script) that imports from the package.
    package : str
        The top-level package whose modules count.
    root : str | Path | None
        The package's folder (the one holding its ``__init__.py``). None: where
        :func:`importlib.util.find_spec` finds the package, i.e. the code that ``import`` runs.

    Returns
    -------
    fingerprint : str
        The first 16 hexadecimal digits of the SHA-256 of the names and sources of the modules
        :func:`imported_modules` lists. It changes when any of their sources changes, comments
        included, and not when another module of the package changes.

    Raises
    ------
    ValueError
        If the script does not exist or is not valid Python, or the package cannot be found.
    """
    modules = _Modules(package, root)
    digest = hashlib.sha256()
    for name in modules.closure(Path(script)):
        digest.update(name.encode() + b"\0" + modules[name].source + b"\0")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def imported_modules(
    script: str | Path, *, package: str = PACKAGE, root: str | Path | None = None
) -> tuple[str, ...]:
    """The modules of the package whose source :func:`code_fingerprint` counts for a script.

    Parameters
    ----------
    script : str | Path
        A Python file that imports from the package.
    package : str
        The top-level package whose modules count.
    root : str | Path | None
        The package's folder; None: where :func:`importlib.util.find_spec` finds it.

    Returns
    -------
    modules : tuple of str
        Dotted module names, sorted; a package stands for its ``__init__.py``.
    """
    return tuple(_Modules(package, root).closure(Path(script)))


class _Modules:
    """The package's modules as one fingerprint sees them: each file is looked up once."""

    def __init__(self, package: str, root: str | Path | None) -> None:
        if root is None:
            spec = importlib.util.find_spec(package)
            if spec is None or not spec.submodule_search_locations:
                raise ValueError(f"Package {package!r} cannot be found on the Python path.")
            root = next(iter(spec.submodule_search_locations))
        self.package = package
        self.root = Path(root)
        if not (self.root / "__init__.py").is_file():
            raise ValueError(f"{str(self.root)!r} is not a package folder: it has no __init__.py.")
        self._paths: dict[str, Path | None] = {}
        self._modules: dict[str, _Module] = {}

    def closure(self, script: Path) -> list[str]:
        """The modules counted whole for a script, sorted."""
        if not script.is_file():
            raise ValueError(f"Script {str(script)!r} does not exist.")
        pending = list(_parse(script).references)
        counted: set[str] = set()
        seen: set[tuple[str, str | None]] = set()
        while pending:
            reference = pending.pop()
            if reference in seen:
                continue
            seen.add(reference)
            for name in self._resolve(reference):
                if name not in counted:
                    counted.add(name)
                    pending.extend(self[name].references)
        return sorted(counted)

    def __getitem__(self, name: str) -> _Module:
        if name not in self._modules:
            path = self.path(name)
            if path is None:
                raise ValueError(f"Module {name!r} has no source under {str(self.root)!r}.")
            self._modules[name] = _parse(path, name)
        return self._modules[name]

    def path(self, name: str) -> Path | None:
        """The source file of a module of the package; None for another package or none."""
        if name not in self._paths:
            self._paths[name] = None
            if name == self.package or name.startswith(f"{self.package}."):
                folder = self.root.joinpath(*name.split(".")[1:])
                if (folder / "__init__.py").is_file():
                    self._paths[name] = folder / "__init__.py"
                elif name != self.package and folder.with_suffix(".py").is_file():
                    self._paths[name] = folder.with_suffix(".py")
        return self._paths[name]

    def _resolve(self, reference: tuple[str, str | None]) -> Iterator[str]:
        """The modules counted whole for a reference, following the re-exports of packages."""
        visited = set()
        while True:
            module_name, attribute = reference
            if self.path(module_name) is None:  # another package's
                return
            module = self[module_name]
            if (
                attribute is None
                or not module.is_package
                or attribute in module.own
                or reference in visited
            ):
                yield module_name
                return
            visited.add(reference)
            binding = module.bindings.get(attribute)
            submodule = f"{module_name}.{attribute}"
            if binding is not None and binding != reference:  # a re-export
                reference = binding
            elif self.path(submodule) is not None:  # `from . import x` or not imported there
                reference = (submodule, None)
            else:  # from a star import, a module-level __getattr__ or unknown: the whole package
                yield module_name
                return


def _parse(path: Path, name: str | None = None) -> _Module:
    status = path.stat()
    key = (str(path), name, status.st_mtime_ns, status.st_size)
    if key not in _PARSED:
        source = path.read_bytes()
        try:
            tree = ast.parse(source, filename=str(path))
        except SyntaxError as error:
            raise ValueError(f"{str(path)!r} is not valid Python: {error}") from None
        is_package = path.name == "__init__.py"
        # A package's relative imports start from the package, a module's from its parent.
        here = name if is_package else name.rpartition(".")[0] if name else None
        bindings, own = _top_level(tree, here)
        # A lazy re-export is an import that runs on first use: it counts like an eager one.
        lazy = {
            (f"{here}.{submodule}", name)
            for statement in tree.body
            for submodule, names in _lazy_exports(statement)
            for name in names
        }
        _PARSED[key] = _Module(
            is_package=is_package,
            source=source,
            references=frozenset(_references(tree, here)) | lazy,
            bindings=bindings,
            own=frozenset(own),
        )
    return _PARSED[key]


def _references(tree: ast.Module, here: str | None) -> Iterator[tuple[str, str | None]]:
    """Every import anywhere in a module, also inside functions, as references."""
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, here)
            if source is not None:
                for alias in node.names:
                    yield (source, None) if alias.name == "*" else (source, alias.name)


def _statements(body: list) -> Iterator[ast.AST]:
    """Every statement, at any depth (an import is a statement: expressions need no visit)."""
    for node in body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _statements(children)


def _absolute(node: ast.ImportFrom, here: str | None) -> str | None:
    """The absolute module name of a ``from … import``; None when it is relative to nothing."""
    if not node.level:
        return node.module
    if here is None:
        return None
    parts = here.split(".")
    if node.level - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def _top_level(tree: ast.Module, here: str | None) -> tuple[dict, set[str]]:
    """What the top level of a module binds: import aliases and its own names."""
    bindings: dict[str, tuple[str, str | None]] = {}
    own: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    bindings[alias.asname] = (alias.name, None)
                else:  # `import a.b` binds `a`
                    top = alias.name.partition(".")[0]
                    bindings[top] = (top, None)
        elif isinstance(statement, ast.ImportFrom):
            source = _absolute(statement, here)
            for alias in statement.names:
                if source is not None and alias.name != "*":
                    bindings[alias.asname or alias.name] = (source, alias.name)
        else:
            own.update(_bound_names(statement))
            for submodule, names in _lazy_exports(statement):
                for name in names:
                    bindings[name] = (f"{here}.{submodule}", name)
    return bindings, own


def _lazy_exports(statement: ast.stmt) -> Iterator[tuple[str, list[str]]]:
    """The ``submod_attrs`` of a ``lazy_loader.attach(__name__, submod_attrs={...})`` call:
    (submodule, names) pairs, which re-export lazily what ``from .submodule import names``
    re-exports eagerly."""
    call = getattr(statement, "value", None)
    if not isinstance(call, ast.Call):
        return
    function = call.func
    if getattr(function, "attr", getattr(function, "id", None)) != "attach":
        return
    for keyword in call.keywords:
        if keyword.arg == "submod_attrs":
            yield from ast.literal_eval(keyword.value).items()


def _bound_names(statement: ast.stmt) -> Iterator[str]:
    """Names a top-level statement binds, without looking into function or class bodies."""
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.alias):
            yield (node.asname or node.name).partition(".")[0]
        elif isinstance(node, ast.Lambda):
            continue
        pending.extend(ast.iter_child_nodes(node))
