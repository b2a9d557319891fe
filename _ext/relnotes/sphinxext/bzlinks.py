"""Turns every ``BZ#NNNNNN`` written in prose into a cross-reference."""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

BZ_MENTION = re.compile(r"\bBZ#([0-9]{1,9})\b")

# Text inside these is code, an existing link, or navigation: leave it alone.
_SKIP = (nodes.FixedTextElement, nodes.literal, nodes.reference, addnodes.pending_xref,
         nodes.title, nodes.raw, nodes.comment)


class LinkBugzillaMentions(SphinxTransform):
    """Splits text nodes around BZ mentions into ``rn:bz`` pending cross-references."""

    default_priority = 400  # read phase, before Sphinx collects references

    def apply(self, **kwargs: object) -> None:
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or _inside_skipped(parent):
                continue
            source = str(text)
            if "BZ#" not in source:
                continue
            replacement = _split(source, self.env.docname, parent)
            if len(replacement) > 1:
                parent.replace(text, replacement)


def _inside_skipped(node: nodes.Element) -> bool:
    current: nodes.Element | None = node
    while current is not None:
        if isinstance(current, _SKIP):
            return True
        current = current.parent
    return False


def _split(source: str, docname: str, parent: nodes.Element) -> list[nodes.Node]:
    pieces: list[nodes.Node] = []
    position = 0
    for match in BZ_MENTION.finditer(source):
        if match.start() > position:
            pieces.append(nodes.Text(source[position:match.start()]))
        xref = addnodes.pending_xref(
            "", nodes.Text(match.group(0)), refdomain="rn", reftype="bz",
            reftarget=match.group(1), refexplicit=True, refdoc=docname,
        )
        xref.source, xref.line = parent.source, parent.line
        pieces.append(xref)
        position = match.end()
    if position < len(source):
        pieces.append(nodes.Text(source[position:]))
    return pieces


def setup_bzlinks(app: Sphinx) -> None:
    app.add_transform(LinkBugzillaMentions)
