"""Prose cannot outrun the ledger: where a snippet was verified is said by the ledger.

A page may not state it in plain text (a located warning); it writes
``{rn:verified}`kvm/<issue>/<snippet>``` instead, which renders the sentence ("verified on
libvirt 9.0.0 / QEMU 7.2.22 (KVM) and ...; known to fail on ...") from the statuses this build
computed for the snippet, which the page must also show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from relnotes.core.ledger import SnippetStatus, Status
from relnotes.core.results import meaning
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

# "verified against libvirt 9.0", "verified on QEMU 7.2": a version claimed in prose.
CLAIM = re.compile(r"\bverified\s+(?:against|on|with)\s+(?:libvirt|QEMU)\s+\d[\d.]*",
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


class verification_claim(nodes.Inline, nodes.Element):
    """Placeholder for the sentence saying where the snippet ``key`` was verified."""


class VerifiedRole(SphinxRole):
    """``{rn:verified}`snippet-key```: the ledger's word on where the snippet was verified."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        node = verification_claim(key=self.text.strip())
        self.set_source_info(node)
        return [node], []


def claim_sentence(statuses: Sequence[SnippetStatus]) -> str:
    """The statuses as one sentence part, targets with the same status joined by "and"."""
    groups: dict[Status, list[str]] = {}
    for status in statuses:
        label = status.environment_label or status.target
        text = meaning(status.status).claim % {"environment": label, "target": status.target}
        groups.setdefault(status.status, []).append(text)
    parts = []
    for texts in groups.values():
        # "verified on A" + "verified on B" -> "verified on A and B"
        prefix = texts[0].rsplit(" on ", 1)[0] + " on "
        rest = [t.removeprefix(prefix) if t.startswith(prefix) else t for t in texts]
        parts.append(prefix + " and ".join(rest))
    return "; ".join(parts)


def render_claims(doctree: nodes.document, views: dict[str, Sequence[SnippetStatus]]) -> None:
    """Replace each claim placeholder by its sentence (``views``: the page's snippets)."""
    for node in list(doctree.findall(verification_claim)):
        statuses = views.get(node["key"])
        if statuses is None:
            logger.warning("rn:verified names %r, which this page does not show; a claim must "
                           "stand beside the snippet's badges", node["key"], location=node,
                           type=WARNING_TYPE, subtype=Subtype.CLAIM)
            node.replace_self(nodes.Text("not verified"))
            continue
        node.replace_self(nodes.inline("", claim_sentence(statuses), classes=["rn-claim"]))


def setup_claims(app: Sphinx) -> None:
    app.add_role_to_domain("rn", "verified", VerifiedRole())
    app.add_node(verification_claim)
    app.connect("source-read", check_claims, priority=500)
