"""The publish gate: with ``relnotes_require_verified``, every shown snippet must be verified.

It runs at the end of every build over every snippet use, not when a page is written, so an
incremental build whose pages did not change cannot slip an unverified snippet through. A
refusal is an error (with no type), not a warning: no ``suppress_warnings`` entry and no
missing ``-W`` lets a refused build succeed. The publish command builds into a staging
directory and moves it into place only when the build succeeds (relnotes publish).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.core.ledger import SnippetStatus
from relnotes.core.results import is_publishable
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import Located, relnotes_domain
from relnotes.sphinxext.verification import (
    SnippetView,
    ledger_or_warning,
    pending_text,
    status_text,
    views_by_snippet,
)
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

def refuse(app: Sphinx, message: str) -> None:
    """Fail the build: an error no ``suppress_warnings`` entry can filter (it has no type) and
    a non-zero exit status whatever ``-W`` says; a plain message, not Sphinx's crash report."""
    logger.error("Publish refused: %s", message)
    app.statuscode = 1


@dataclass(frozen=True)
class Refusal:
    docname: str
    lineno: int
    key: str
    status: SnippetStatus | None  # None: the snippet's spec is a pending stub
    pending: str | None = None


def refusals(uses: Mapping[str, Iterable[Located]], views: Mapping[str, SnippetView]
             ) -> list[Refusal]:
    """Every shown snippet result the gate refuses: exactly those the table does not call
    publishable (and every use of a pending stub), in page order."""
    found = []
    for docname, located_uses in sorted(uses.items()):
        for located in located_uses:
            view = views.get(located.value)
            if view is None:
                continue  # its file went missing: warned where the page uses it
            if view.pending is not None:
                # a stub's ledger records, if any, are not about a check it has
                found.append(Refusal(docname, located.lineno, view.key, None, view.pending))
                continue
            found += [Refusal(docname, located.lineno, view.key, status)
                      for status in view.statuses if not is_publishable(status.status)]
    return found


def check_publishable(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not relnotes_config(app.config).require_verified:
        return
    if ledger_or_warning(app.config, Subtype.UNVERIFIED) is None:
        refuse(app, "the verification ledger cannot be read, so no snippet can be shown to "
                    "be verified")
        return
    # The statuses this build computed for every snippet (env-updated), not only for the
    # pages it wrote, so an incremental build is judged like a full one.
    found = refusals(relnotes_domain(app.env).data["snippets"], views_by_snippet(app.env))
    refused: list[str] = []
    for refusal in found:
        text = (status_text(refusal.status) if refusal.status is not None
                else pending_text(refusal.pending or ""))
        logger.warning("snippet %r is not publishable: %s", refusal.key, text,
                       location=(refusal.docname, refusal.lineno), type=WARNING_TYPE,
                       subtype=Subtype.UNVERIFIED)
        if refusal.status is not None:
            refused.append(f"{app.env.doc2path(refusal.docname)}:{refusal.lineno}: "
                           f"{refusal.key}: {text}")
    code = [f"{app.env.doc2path(docname)}:{line}: a code block that is not a snippet (show "
            "it with {rn:snippet}, or mark quoted output with {rn:output})"
            for docname, lines in sorted(relnotes_domain(app.env).data["unmarked_code"].items())
            for line in lines]
    if refused or code:
        counts = ([f"{len(refused)} shown snippet result(s) not publishable"] if refused else [])
        counts += [f"{len(code)} code block(s) on issue pages not snippets"] if code else []
        refuse(app, f"{'; '.join(counts)}:\n" + "\n".join(refused + code))


def setup_publish_gate(app: Sphinx) -> None:
    # Every build, after everything was written: the verdict covers the whole site.
    app.connect("build-finished", check_publishable, priority=900)
