"""The publish gate: with ``relnotes_require_verified``, every shown snippet must be verified.

It runs at the end of every build over every snippet use, not when a page is written, so an
incremental build whose pages did not change cannot slip an unverified snippet through. A
refusal is an error (with no type), not a warning: no ``suppress_warnings`` entry and no
missing ``-W`` lets a refused build succeed. The publish command builds into a staging
directory and moves it into place only when the build succeeds (relnotes publish).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.core.results import is_publishable
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.verification import (
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


def check_publishable(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not relnotes_config(app.config).require_verified:
        return
    refused: list[str] = []
    if ledger_or_warning(app.config, Subtype.UNVERIFIED) is None:
        refuse(app, "the verification ledger cannot be read, so no snippet can be shown to "
                    "be verified")
        return
    # The statuses this build computed for every snippet (env-updated), not only for the
    # pages it wrote, so an incremental build is judged like a full one.
    views = views_by_snippet(app.env)
    for docname, uses in sorted(relnotes_domain(app.env).data["snippets"].items()):
        for located in uses:
            view = views.get(located.value)
            if view is None:
                continue  # its file went missing: warned where the page uses it
            if view.pending is not None:
                logger.warning(
                    "snippet %r is not publishable: %s", view.key, pending_text(view.pending),
                    location=(docname, located.lineno), type=WARNING_TYPE,
                    subtype=Subtype.UNVERIFIED,
                )
                continue  # a stub's ledger records, if any, are not about a check it has
            for status in view.statuses:
                if not is_publishable(status.status):
                    logger.warning(
                        "snippet %r is not publishable: %s", view.key, status_text(status),
                        location=(docname, located.lineno), type=WARNING_TYPE,
                        subtype=Subtype.UNVERIFIED,
                    )
                    refused.append(f"{app.env.doc2path(docname)}:{located.lineno}: "
                                   f"{view.key}: {status_text(status)}")
    if refused:
        refuse(app, f"{len(refused)} shown snippet result(s) not publishable:\n"
               + "\n".join(refused))


def setup_publish_gate(app: Sphinx) -> None:
    # Every build, after everything was written: the verdict covers the whole site.
    app.connect("build-finished", check_publishable, priority=900)
