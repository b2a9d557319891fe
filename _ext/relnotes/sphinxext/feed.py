"""Atom feeds of verdict changes: one for the site (``feed.atom``) and one per issue
(``feeds/<issue id>.atom``), from the ledgers of successive publishes; every page links the
site's feed, an issue page its own.
"""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from relnotes.core.feed import VerdictChange, load_history, verdict_changes
from relnotes.core.ledger import LedgerError
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.output import write_if_changed
from relnotes.sphinxext.verification import ledger_path
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

SITE_FEED = "feed.atom"
ISSUE_FEEDS = "feeds"
#: The site's feed keeps the newest changes only; an issue's feed keeps all of its own.
SITE_LIMIT = 200


def _changes(app: Sphinx) -> list[VerdictChange]:
    """The changes of this build's history of publishes, read once per build."""
    cached: list[VerdictChange] | None = getattr(app, "_relnotes_feed_changes", None)
    if cached is None:
        try:
            cached = verdict_changes(load_history(ledger_path(app.config)))
        except LedgerError as error:
            logger.warning(f"published ledger: {error}", type=WARNING_TYPE,
                           subtype=Subtype.LEDGER)
            cached = []
        app._relnotes_feed_changes = cached  # type: ignore[attr-defined]
    return cached


def _issues_with_changes(app: Sphinx) -> dict[str, list[VerdictChange]]:
    """Each issue's changes (issues without any left out), computed once per build."""
    cached: dict[str, list[VerdictChange]] | None = getattr(app, "_relnotes_issue_feeds", None)
    if cached is None:
        cached = _group_by_issue(app)
        app._relnotes_issue_feeds = cached  # type: ignore[attr-defined]
    return cached


def _group_by_issue(app: Sphinx) -> dict[str, list[VerdictChange]]:
    domain = relnotes_domain(app.env)
    issue_of = {located.value: issue_id
                for docname, uses in domain.data["snippets"].items()
                if (issue_id := domain.data["issue_by_doc"].get(docname)) is not None
                for located in uses}
    feeds: dict[str, list[VerdictChange]] = {}
    for change in _changes(app):
        if change.snippet in issue_of:
            feeds.setdefault(issue_of[change.snippet], []).append(change)
    return feeds


def _translate(message: str) -> str:
    return str(_(message))


def atom(title: str, feed_id: str, changes: list[VerdictChange], titles: dict[str, str],
         links: dict[str, str]) -> str:
    """An Atom document; ``titles`` and ``links`` map a snippet to its issue's title and URL."""
    updated = (changes[0].published if changes else datetime(1970, 1, 1, tzinfo=UTC))
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(title)}</title>", f"<id>{escape(feed_id)}</id>",
           f"<updated>{updated.isoformat()}</updated>"]
    for change in changes:
        issue = titles.get(change.snippet, change.snippet)
        words = change.words(_translate)
        entry_id = f"{feed_id}:{change.published:%Y%m%dT%H%M%SZ}:{change.snippet}:{change.target}"
        out += ["<entry>",
                f"<title>{escape(f'{issue}: {words}')}</title>",
                f"<id>{escape(entry_id)}</id>",
                f"<updated>{change.published.isoformat()}</updated>",
                *([f"<link href={quoteattr(links[change.snippet])}/>"]
                  if change.snippet in links else []),
                f"<summary>{escape(f'{change.snippet}: {words}')}</summary>",
                "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def write_feeds(app: Sphinx, exception: Exception | None) -> None:
    builder = app.builder
    if exception is not None or not isinstance(builder, StandaloneHTMLBuilder):
        return
    domain = relnotes_domain(app.env)
    changes = _changes(app)
    titles: dict[str, str] = {}
    links: dict[str, str] = {}
    for issue in domain.all_issues():
        for located in domain.data["snippets"].get(issue.docname, []):
            titles[located.value] = issue.title
            links[located.value] = builder.get_target_uri(issue.docname)
    project = str(app.config.project)
    outdir = Path(builder.outdir)
    write_if_changed(outdir / SITE_FEED, atom(
        str(_("%(project)s: verdict changes") % {"project": project}),
        f"relnotes:{project}", changes[:SITE_LIMIT], titles, links))
    # A feed per issue whose verdicts changed (the others have nothing to say); feeds of
    # issues that no longer have changes go.
    feeds = _issues_with_changes(app)
    issue_links = {key: posixpath.relpath(value, ISSUE_FEEDS) for key, value in links.items()}
    for issue_id, own in feeds.items():
        title = domain.issues[issue_id].value.title
        write_if_changed(outdir / ISSUE_FEEDS / f"{issue_id}.atom", atom(
            str(_("%(issue)s: verdict changes") % {"issue": title}),
            f"relnotes:{project}:{issue_id}", own, titles, issue_links))
    folder = outdir / ISSUE_FEEDS
    if folder.is_dir():
        for stale in folder.glob("*.atom"):
            if stale.stem not in feeds:
                stale.unlink()


def link_feeds(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
               doctree: Any) -> None:
    """Every page names the site's feed; an issue page its own too."""
    if not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    root = posixpath.relpath(SITE_FEED, posixpath.dirname(pagename) or ".")
    # Each message a literal of its own (outside f-strings), so that pybabel extracts it.
    site_title = quoteattr(str(_("Verdict changes")))
    issue_title = quoteattr(str(_("Verdict changes of this issue")))
    tags = [f'<link rel="alternate" type="application/atom+xml" '
            f"title={site_title} href={quoteattr(root)} />"]
    issue = relnotes_domain(app.env).issue_for_doc(pagename)
    if issue is not None and issue.id in _issues_with_changes(app):
        own = posixpath.relpath(f"{ISSUE_FEEDS}/{issue.id}.atom",
                                posixpath.dirname(pagename) or ".")
        tags.append(f'<link rel="alternate" type="application/atom+xml" '
                    f"title={issue_title} "
                    f'href={quoteattr(own)} />')
    context["metatags"] = context.get("metatags", "") + "\n".join(tags) + "\n"


def setup_feed(app: Sphinx) -> None:
    # After the pages are written, beside issues.json.
    app.connect("build-finished", write_feeds, priority=500)
    app.connect("html-page-context", link_feeds, priority=500)
