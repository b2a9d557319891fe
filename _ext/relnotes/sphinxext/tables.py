"""Docutils tables from rows of nodes, for the pages the extension generates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from docutils import nodes


def build_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[nodes.Node]],
    *,
    classes: list[str],
    widths: Sequence[int] | None = None,
) -> nodes.table:
    table = nodes.table(classes=classes)
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths or [1] * len(headers):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row([nodes.Text(header) for header in headers])
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += _row(cells)
    group += body
    return table


def _row(cells: Sequence[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", cell)
        row += entry
    return row
