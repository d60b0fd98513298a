"""Self-contained HTML pages of media side by side (audio players, GIFs), for the report."""

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..fileio import atomic_path

# How each kind of file is embedded, by suffix: (MIME type, element template).
_ELEMENTS = {
    ".wav": ("audio/wav", '<audio controls preload="none" src="{src}"></audio>'),
    ".gif": ("image/gif", '<img src="{src}" alt="">'),
}


def _element(path: Path) -> str:
    path = Path(path)
    if path.suffix not in _ELEMENTS:
        raise ValueError(f"{str(path)!r}: only {sorted(_ELEMENTS)} files can be embedded.")
    mime, template = _ELEMENTS[path.suffix]
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return template.format(src=f"data:{mime};base64,{encoded}")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """An HTML table of already-escaped cells; the first cell of a row is its header. An empty
    ``header`` gives a table without a header row."""
    return [
        "<table>", *(["<tr>", *(f"<th>{cell}</th>" for cell in header), "</tr>"] if header else []),
        *("<tr><th>" + row[0] + "</th>" + "".join(f"<td>{c}</td>" for c in row[1:]) + "</tr>"
          for row in rows),
        "</table>",
    ]  # fmt: skip


def write_media_page(
    path: str | Path,
    *,
    title: str,
    summary: Mapping[str, str] | Sequence[Sequence[str]],
    columns: Sequence[str],
    rows: Sequence[tuple[str, Mapping[str, str | Path]]],
) -> Path:
    """Write a self-contained HTML page of embedded audio or GIFs, atomically.

    Parameters
    ----------
    path : str | Path
        The page.
    title : str
    summary : dict of str to str | sequence of rows
        Shown above the media: a two-column table (name → value), or a table whose first row
        is its header.
    columns : sequence of str
        The media of every row, in order (e.g. recorded, resynthesised, decoded).
    rows : sequence of (label, {column: path})
        One row per item; ``.wav`` files become audio players, ``.gif`` files images; a missing
        column leaves its cell empty.
    """
    if isinstance(summary, Mapping):
        summary_rows = [[html.escape(k), html.escape(v)] for k, v in summary.items()]
        summary_table = _table([], summary_rows)
    else:
        escaped = [[html.escape(str(cell)) for cell in row] for row in summary]
        summary_table = _table(escaped[0], escaped[1:])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1.5em}"
        "table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}"
        "img{image-rendering:pixelated;min-width:192px}</style>",
        f"</head><body><h1>{html.escape(title)}</h1>",
        *summary_table,
        *_table(
            ["", *map(html.escape, columns)],
            [
                [html.escape(label), *(_element(files[c]) if c in files else "" for c in columns)]
                for label, files in rows
            ],
        ),
        "</body></html>",
    ]
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return Path(path)
