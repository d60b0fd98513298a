"""MkDocs hook that writes the configuration reference from the workflow's config schema.

On ``reference/configuration.md`` the line ``<!-- config-reference -->`` is replaced by one
section per top-level key of ``workflow/schemas/config.schema.yaml``, listing every key at every
depth with its type, its value in ``config/config.yaml``, the values the schema allows and the
schema's description. Each key gets an anchor named by its dotted path (``#fusion.faces.crop_size``;
``*`` stands for a name of the user's choosing or a list item), so other pages can link to it.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PAGE = "reference/configuration.md"
MARKER = "<!-- config-reference -->"
SCHEMA_FILE = "workflow/schemas/config.schema.yaml"
DEFAULTS_FILE = "config/config.yaml"

# Path segments that stand for many keys: an entry of a mapping whose names the user chooses
# (additionalProperties, patternProperties) and an item of a list.
ANY_NAME = "<name>"
ANY_ITEM = "[]"

# Rendered values longer than this are shortened: lists to their first items, mappings to
# their keys.
MAX_VALUE_CHARS = 110
MAX_LIST_ITEMS = 8


@dataclass
class Facet:
    """One subschema that describes a key; ``conditional`` when it applies only in some cases
    (a ``then``/``else``, ``oneOf`` or ``anyOf`` branch)."""

    schema: dict
    conditional: bool


@dataclass
class ConfigKey:
    """A key of the config at any depth, with every subschema that describes it."""

    path: tuple[str, ...]
    facets: list[Facet] = field(default_factory=list)

    @property
    def dotted(self) -> str:
        """The path as the reference shows it: ``fusion.faces.crop_size``,
        ``windows.<name>.length_s``, ``calibration.protocol[].label``."""
        text = ""
        for segment in self.path:
            text += segment if segment == ANY_ITEM or not text else f".{segment}"
        return text

    @property
    def anchor(self) -> str:
        """The HTML id: the dotted path with ``*`` for a chosen name or a list item."""
        segments = ["*" if segment in (ANY_NAME, ANY_ITEM) else segment for segment in self.path]
        return ".".join(segments)


def resolve(schema: dict, root: dict) -> dict:
    """The subschema a local ``$ref`` (``#/$defs/training``) points to."""
    node = root
    for part in schema["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    return node


def applicable_facets(schema: dict, root: dict, conditional: bool = False) -> list[Facet]:
    """``schema`` and every subschema that describes the same value: ``$ref`` targets, ``allOf``
    branches, and (conditionally) ``then``/``else``, ``oneOf`` and ``anyOf`` branches. ``if``
    and ``not`` only test a value, so they are left out."""
    facets = [Facet(schema, conditional)]
    if "$ref" in schema:
        facets += applicable_facets(resolve(schema, root), root, conditional)
    for branch in schema.get("allOf", []):
        facets += applicable_facets(branch, root, conditional)
    for keyword in ("then", "else"):
        if keyword in schema:
            facets += applicable_facets(schema[keyword], root, True)
    for keyword in ("oneOf", "anyOf"):
        for branch in schema.get(keyword, []):
            facets += applicable_facets(branch, root, True)
    return facets


def _child_keys(key: ConfigKey, root: dict) -> list[ConfigKey]:
    """The keys one level below ``key``, each with the facets every branch gives it."""
    children: dict[str, ConfigKey] = {}

    def add(segment: str, schema: dict, conditional: bool) -> None:
        child = children.setdefault(segment, ConfigKey((*key.path, segment)))
        child.facets += applicable_facets(schema, root, conditional)

    for facet in key.facets:
        schema = facet.schema
        for name, subschema in schema.get("properties", {}).items():
            add(name, subschema, facet.conditional)
        named = [schema.get("additionalProperties"), *schema.get("patternProperties", {}).values()]
        for subschema in named:
            if isinstance(subschema, dict):
                add(ANY_NAME, subschema, facet.conditional)
        items = schema.get("items")
        if isinstance(items, dict) and _has_keys(items, root):
            add(ANY_ITEM, items, facet.conditional)
    return list(children.values())


def _has_keys(schema: dict, root: dict) -> bool:
    """Whether a list item is a mapping whose keys the schema describes."""
    return any(
        facet.schema.get("properties") or isinstance(facet.schema.get("additionalProperties"), dict)
        for facet in applicable_facets(schema, root)
    )


def config_keys(schema: dict) -> list[ConfigKey]:
    """Every key the schema describes, at every depth, parents before their children, in the
    schema's order."""
    keys: list[ConfigKey] = []

    def walk(key: ConfigKey) -> None:
        for child in _child_keys(key, schema):
            keys.append(child)
            walk(child)

    walk(ConfigKey((), applicable_facets(schema, schema)))
    return keys


def description(key: ConfigKey) -> str:
    """The key's own description from the first facet that has one."""
    for facet in key.facets:
        text = (facet.schema.get("description") or "").strip()
        if text:
            return " ".join(text.split())
    return ""


def _main_facets(key: ConfigKey) -> list[dict]:
    """The facets that always apply, or the conditional ones of a key that only a branch
    defines."""
    always = [facet.schema for facet in key.facets if not facet.conditional]
    return always or [facet.schema for facet in key.facets]


def _value(value) -> str:
    """A value as YAML's flow style writes it: ``[1, 2]``, ``{CB1: I1}``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        plain = re.fullmatch(r"[A-Za-z0-9_./<+-]([A-Za-z0-9_./{}<> +-]*[A-Za-z0-9_./}>-])?", value)
        keyword = value in ("null", "true", "false") or re.fullmatch(r"[-+.\d][\d.e+-]*", value)
        return value if plain and not keyword else json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name}: {_value(item)}" for name, item in value.items()) + "}"
    return repr(value)


def compact_value(value) -> str:
    """A default as a Markdown code span, shortened when long."""
    text = _value(value)
    if len(text) <= MAX_VALUE_CHARS:
        return _code(text)
    if isinstance(value, list):
        shown = value[:MAX_LIST_ITEMS]
        while len(shown) > 1 and len(_value(shown)) > MAX_VALUE_CHARS:
            shown = shown[:-1]
        head = _value(shown)[:-1]
        return f"{_code(head + ', …]')} ({len(value)} items)"
    if isinstance(value, dict):
        return "entries " + ", ".join(_code(str(name)) for name in value)
    return _code(text[: MAX_VALUE_CHARS - 1] + "…")


def _code(text: str) -> str:
    """A Markdown code span around ``text``, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def lookup(defaults, path: tuple[str, ...]) -> list[tuple[str, object]]:
    """The values at ``path`` in ``defaults``, each with the names that a chosen name or list
    item stands for (empty for a path without one)."""
    found: list[tuple[str, object]] = [("", defaults)]
    for segment in path:
        deeper = []
        for label, node in found:
            if segment == ANY_NAME and isinstance(node, dict):
                deeper += [(_join(label, str(name)), item) for name, item in node.items()]
            elif segment == ANY_ITEM and isinstance(node, list):
                deeper += [(_join(label, f"[{n}]"), item) for n, item in enumerate(node)]
            elif isinstance(node, dict) and segment in node:
                deeper.append((label, node[segment]))
        found = deeper
    return found


def _join(label: str, part: str) -> str:
    return f"{label} {part}" if label else part


def default_text(key: ConfigKey, defaults: dict) -> str:
    """What config/config.yaml sets the key to, or the schema's default, or "not set"."""
    values = lookup(defaults, key.path)
    if not values:
        schema_defaults = [
            facet.schema["default"] for facet in key.facets if "default" in facet.schema
        ]
        if schema_defaults:
            return f"not set (schema default {compact_value(schema_defaults[0])})"
        return "not set"
    if len(values) == 1 and not values[0][0]:
        return compact_value(values[0][1])
    shown = [f"{_code(label)}: {compact_value(value)}" for label, value in values[:4]]
    more = f"; … ({len(values)} entries)" if len(values) > 4 else ""
    return "; ".join(shown) + more


def type_text(key: ConfigKey, root: dict) -> str:
    """The key's type in words: ``integer``, ``number or null``, ``list of integer``."""
    for schema in _main_facets(key):
        text = _schema_type(schema, root)
        if text:
            return text
    return "any"


_TYPE_NAMES = {"object": "mapping", "array": "list"}


def _schema_type(schema: dict, root: dict) -> str:
    if "$ref" in schema and "type" not in schema:
        return _schema_type(resolve(schema, root), root)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        names = []
        for name in types:
            if name == "array" and isinstance(schema.get("items"), dict):
                item_type = _schema_type(schema["items"], root)
                names.append(f"list of {item_type}" if item_type else "list")
            else:
                names.append(_TYPE_NAMES.get(name, name))
        return " or ".join(names)
    values = (
        schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else None
    )
    if values is not None:
        return " or ".join(dict.fromkeys(_value_type(value) for value in values))
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return " or ".join(
                dict.fromkeys(_schema_type(branch, root) for branch in schema[keyword])
            )
    return ""


def _value_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def allowed_text(key: ConfigKey, root: dict) -> str:
    """The values the schema allows beside the type: choices, bounds, patterns, sizes."""
    facets = _main_facets(key)
    enums = [facet["enum"] for facet in facets if "enum" in facet]
    parts = []
    if enums:
        common = [value for value in enums[0] if all(value in enum for enum in enums[1:])]
        parts.append("one of " + ", ".join(_code(_value(value)) for value in common))
    for schema in facets:
        parts += _constraints(schema, root, with_enum=False)
    return "; ".join(dict.fromkeys(part for part in parts if part))


def _constraints(schema: dict, root: dict, with_enum: bool = True, depth: int = 0) -> list[str]:
    """The constraints of one subschema in words (its type aside); ``depth`` counts the lists
    it lies in."""
    if "$ref" in schema:
        return _constraints(resolve(schema, root), root, with_enum, depth)
    parts = []
    if with_enum and "enum" in schema:
        parts.append("one of " + ", ".join(_code(_value(value)) for value in schema["enum"]))
    if "const" in schema:
        parts.append(f"exactly {_code(_value(schema['const']))}")
    bounds = [
        (keyword, symbol)
        for keyword, symbol in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        )
        if keyword in schema
    ]
    if bounds:
        parts.append(", ".join(f"{symbol} {_value(schema[keyword])}" for keyword, symbol in bounds))
    if "multipleOf" in schema:
        parts.append(f"multiple of {_value(schema['multipleOf'])}")
    if "const" in schema.get("not", {}):
        parts.append(f"not {_code(_value(schema['not']['const']))}")
    if "pattern" in schema:
        parts.append(f"matches {_code(schema['pattern'])}")
    if schema.get("minLength") == 1:
        parts.append("not empty")
    elif "minLength" in schema:
        parts.append(f"at least {schema['minLength']} characters")
    parts.append(_count("item", schema.get("minItems"), schema.get("maxItems")))
    if schema.get("uniqueItems"):
        parts.append("no repeats")
    parts.append(_count("entry", schema.get("minProperties"), schema.get("maxProperties")))
    names = schema.get("propertyNames")
    if isinstance(names, dict):
        names = resolve(names, root) if "$ref" in names else names
        if "pattern" in names:
            parts.append(f"names match {_code(names['pattern'])}")
    items = schema.get("items")
    if isinstance(items, dict):
        item_parts = [part for part in _constraints(items, root, depth=depth + 1) if part]
        if item_parts:
            parts.append(
                ("each item: " if depth == 0 else "each inner item: ") + ", ".join(item_parts)
            )
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            parts.append(_alternatives(schema[keyword], root))
    return parts


def _alternatives(branches: list[dict], root: dict) -> str:
    """``oneOf``/``anyOf`` in words: alternative values, or alternative sets of keys."""
    if all(set(branch) == {"required"} for branch in branches):
        sets = [" and ".join(_code(name) for name in branch["required"]) for branch in branches]
        return "set either " + " or ".join(sets)
    words = []
    for branch in branches:
        constraints = ", ".join(part for part in _constraints(branch, root) if part)
        chosen = "enum" in branch or "const" in branch
        kind = "" if chosen else _schema_type(branch, root)
        words.append(f"{kind} ({constraints})" if kind and constraints else kind or constraints)
    return "either " + " or ".join(word for word in words if word)


def _count(noun: str, least: int | None, most: int | None) -> str:
    plural = {"item": "items", "entry": "entries"}[noun]
    if least is not None and least == most:
        return f"exactly {least} {noun if least == 1 else plural}"
    words = []
    if least:
        words.append(f"at least {least} {noun if least == 1 else plural}")
    if most is not None:
        words.append(f"at most {most} {noun if most == 1 else plural}")
    return ", ".join(words)


def escape_text(text: str) -> str:
    """Markdown-escape prose outside its code spans, so that ``<name>`` and ``*`` stay text."""
    pieces = re.split(r"(`[^`]*`)", text)
    for index in range(0, len(pieces), 2):
        piece = pieces[index].replace("\\", "\\\\")
        for character in "*_[]|":
            piece = piece.replace(character, "\\" + character)
        pieces[index] = piece.replace("<", "&lt;").replace(">", "&gt;")
    return "".join(pieces)


def _facts(key: ConfigKey, schema: dict, defaults: dict) -> str:
    """The key's type, value in ``defaults`` and allowed values, on one line. A mapping whose
    keys are listed below it shows no value of its own."""
    facts = [f"**Type** {escape_text(type_text(key, schema))}"]
    if not any(facet.schema.get("properties") for facet in key.facets):
        facts.append(f"**Default** {default_text(key, defaults)}")
    allowed = allowed_text(key, schema)
    if allowed:
        facts.append(f"**Allowed** {allowed}")
    return " · ".join(facts)


def _entry(key: ConfigKey, schema: dict, defaults: dict) -> list[str]:
    """The definition-list entry of one key: its path (with its anchor, and a link to it to
    copy), description and facts."""
    return [
        f"[{_code(key.dotted)}](#{key.anchor}) {{#{key.anchor}}}",
        f":   {escape_text(description(key)) or '(no description)'}",
        "",
        f"    {_facts(key, schema, defaults)}",
        "",
    ]


def config_reference_markdown(schema: dict, defaults: dict) -> str:
    """The configuration reference in Markdown: a section per top-level key of ``schema``, and
    an entry for every key under it, with its value in ``defaults`` (config/config.yaml).

    Needs the ``attr_list`` and ``def_list`` Markdown extensions.
    """
    lines: list[str] = []
    for key in config_keys(schema):
        if len(key.path) == 1:
            lines += [f"## {_code(key.dotted)} {{#{key.anchor}}}", ""]
            lines += [escape_text(description(key)) or "(no description)", ""]
            lines += [_facts(key, schema, defaults), ""]
        else:
            lines += _entry(key, schema, defaults)
    return "\n".join(lines)


def _load(config: dict) -> tuple[dict, dict]:
    """The schema and config/config.yaml of the project whose mkdocs.yml is building."""
    repo = Path(config["config_file_path"]).parent
    schema = yaml.safe_load((repo / SCHEMA_FILE).read_text(encoding="utf-8"))
    defaults = yaml.safe_load((repo / DEFAULTS_FILE).read_text(encoding="utf-8"))
    return schema, defaults


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Replace the marker line of the configuration page by the generated reference."""
    if page.file.src_uri != PAGE:
        return markdown
    if MARKER not in markdown:
        raise ValueError(f"{PAGE} lost its marker line {MARKER!r}.")
    return markdown.replace(MARKER, config_reference_markdown(*_load(config)), 1)


def on_serve(server, config, builder):
    """Rebuild on ``mkdocs serve`` when the schema or the embedded default changes."""
    repo = Path(config["config_file_path"]).parent
    for name in (SCHEMA_FILE, DEFAULTS_FILE):
        server.watch(str(repo / name))
    return server
