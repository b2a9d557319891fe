"""Prose cannot outrun the ledger: a page may not state in plain text where a snippet was
verified; the badges (from the ledger) say it, with the actual environments and statuses."""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

# "verified against libvirt 9.0", "verified on QEMU 7.2": a version claimed in prose.
CLAIM = re.compile(r"\bverified\s+(?:against|on|with)\s+(?:libvirt|QEMU|qemu)\b\s*[\d.]*",
                   re.IGNORECASE)
_FENCE = re.compile(r"^(```|~~~)")


def plain_claims(text: str) -> list[tuple[int, str]]:
    """(line, phrase) of each version claimed as verified in prose, outside code fences."""
    found, fenced = [], False
    joined_lines = text.splitlines()
    for number, line in enumerate(joined_lines, start=1):
        if _FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if fenced:
            continue
        # a claim may wrap: look at this line and the start of the next
        window = line + " " + (joined_lines[number] if number < len(joined_lines) else "")
        match = CLAIM.search(window)
        if match and match.start() < len(line):
            found.append((number, match.group(0).strip()))
    return found


def check_claims(app: Sphinx, docname: str, source: list[str]) -> None:
    for line, phrase in plain_claims(source[0]):
        logger.warning("the page states %r in plain text; where a snippet was verified comes "
                       "from the ledger (the badges), never from prose", phrase,
                       location=(docname, line), type=WARNING_TYPE, subtype=Subtype.CLAIM)


def setup_claims(app: Sphinx) -> None:
    app.connect("source-read", check_claims, priority=500)
