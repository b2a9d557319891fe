"""The publish gate: with ``relnotes_require_verified``, every shown snippet must be verified.

It runs at the end of every build over every snippet use, not when a page is written, so an
incremental build whose pages did not change cannot slip an unverified snippet through.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.config import relnotes_config
from relnotes.domain import relnotes_domain
from relnotes.ledger import Status
from relnotes.snippet import SnippetPathError, resolve_snippet, snippets_dir
from relnotes.verification import ledger_or_warning, snippet_view, status_text
from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

# Accepted because each was observed, or declared with a reason the site shows.
PUBLISHABLE = frozenset({Status.PASSED, Status.EXPECTED_FAILURE, Status.NOT_VERIFIABLE})


def check_publishable(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not relnotes_config(app.config).require_verified:
        return
    ledger = ledger_or_warning(app.config, Subtype.UNVERIFIED)
    if ledger is None:
        return  # nothing can be shown to be verified
    root = snippets_dir(app)
    for docname, uses in sorted(relnotes_domain(app.env).data["snippets"].items()):
        for located in uses:
            try:
                snippet = resolve_snippet(root, located.value)
            except SnippetPathError:
                continue  # warned where the page uses it
            view = snippet_view(app.config, ledger, snippet.key, snippet.path)
            for status in view.statuses:
                if status.status not in PUBLISHABLE:
                    logger.warning(
                        "snippet %r is not publishable: %s", snippet.key, status_text(status),
                        location=(docname, located.lineno), type=WARNING_TYPE,
                        subtype=Subtype.UNVERIFIED,
                    )


def setup_publish_gate(app: Sphinx) -> None:
    # Every build, after everything was written: the verdict covers the whole site.
    app.connect("build-finished", check_publishable, priority=900)
