"""Prose cannot outrun the ledger: where a snippet was verified is said by the ledger.

A page, or a translation in the site's catalogs, may not state a result in its own words (a
located warning; the phrasing is found by ``core.claims``, which ``relnotes check`` runs too);
it writes
``{rn:verified}`kvm/<issue>/<snippet>``` instead, which renders the sentence ("verified on
libvirt 9.0.0 / QEMU 7.2.22 (KVM) and ...; known to fail on ...") from the statuses this build
computed for the snippet, which the page must also show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from relnotes.core.claims import (
    CATALOG_MESSAGE,
    MESSAGE,
    catalog_claims,
    catalogs,
    plain_claims,
)
from relnotes.core.ledger import SnippetStatus, Status
from relnotes.core.results import meaning
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


def check_claims(app: Sphinx, docname: str, source: list[str]) -> None:
    for line, phrase in plain_claims(source[0]):
        logger.warning(MESSAGE.format(phrase=phrase), location=(docname, line),
                       type=WARNING_TYPE, subtype=Subtype.CLAIM)


def check_catalog_claims(app: Sphinx) -> None:
    """The site's page catalogs (every language): a translation may not state a result."""
    for locale_dir in app.config.locale_dirs:
        for path in catalogs(Path(app.srcdir, locale_dir)):
            for line, phrase in catalog_claims(path):
                node = nodes.Element()
                node.source, node.line = str(path), line
                logger.warning(CATALOG_MESSAGE.format(phrase=phrase), location=node,
                               type=WARNING_TYPE, subtype=Subtype.CLAIM)


class verification_claim(nodes.Inline, nodes.Element):
    """Placeholder for the sentence saying where the snippet ``key`` was verified."""


class VerifiedRole(SphinxRole):
    """``{rn:verified}`snippet-key```: the ledger's word on where the snippet was verified."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        node = verification_claim(key=self.text.strip())
        self.set_source_info(node)
        return [node], []


def claim_sentence(statuses: Sequence[SnippetStatus],
                   versions: Mapping[str, str] | None = None) -> str:
    """The statuses as one sentence part, targets with the same status joined by "and";
    ``versions`` names each target as readers know it ("libvirt 9.0 / QEMU 7.2")."""
    groups: dict[Status, list[str]] = {}
    for status in statuses:
        version = (versions or {}).get(status.target)
        label = version or status.environment_label or status.target
        text = meaning(status.status).claim % {"environment": label,
                                               "target": version or status.target}
        groups.setdefault(status.status, []).append(text)
    parts = []
    for texts in groups.values():
        # "verified on A" + "verified on B" -> "verified on A and B"
        prefix = texts[0].rsplit(" on ", 1)[0] + " on "
        rest = [t.removeprefix(prefix) if t.startswith(prefix) else t for t in texts]
        parts.append(prefix + " and ".join(rest))
    return "; ".join(parts)


def render_claims(doctree: nodes.document, views: dict[str, Sequence[SnippetStatus]],
                  versions: Mapping[str, str] | None = None) -> None:
    """Replace each claim placeholder by its sentence (``views``: the page's snippets)."""
    for node in list(doctree.findall(verification_claim)):
        statuses = views.get(node["key"])
        if statuses is None:
            logger.warning("rn:verified names %r, which this page does not show; a claim must "
                           "stand beside the snippet's badges", node["key"], location=node,
                           type=WARNING_TYPE, subtype=Subtype.CLAIM)
            node.replace_self(nodes.Text("not verified"))
            continue
        node.replace_self(nodes.inline("", claim_sentence(statuses, versions), classes=["rn-claim"]))


def setup_claims(app: Sphinx) -> None:
    app.add_role_to_domain("rn", "verified", VerifiedRole())
    app.add_node(verification_claim)
    app.connect("source-read", check_claims, priority=500)
    # Once per build, before reading: the catalogs are the translations' prose.
    app.connect("builder-inited", check_catalog_claims, priority=500)
