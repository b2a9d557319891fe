"""Machine-readable output: ``issues.json``, and the ``bz/<number>.html`` redirect pages."""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from relnotes.core.atomic import write_atomic
from relnotes.core.ledger import LedgerError
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.verification import current_ledger, snippet_record, views_by_snippet

ISSUES_JSON = "issues.json"
FORMAT_VERSION = 1


def issues_document(app: Sphinx) -> dict[str, Any]:
    domain = relnotes_domain(app.env)
    views = views_by_snippet(app.env)
    try:
        current_ledger(app.config)
        ledger_error = None
    except LedgerError as error:
        ledger_error = str(error)
    records = []
    for issue in sorted(domain.all_issues(), key=lambda issue: issue.id):
        records.append({
            "id": issue.id,
            "title": issue.title,
            "bz": list(issue.bz),
            "component": issue.component,
            "releases": list(issue.releases),
            "kind": issue.kind.value,
            "topics": list(issue.topics),
            "see_also": list(issue.see_also),
            "jira": list(issue.jira),
            "fixed_in": issue.fixed_in or None,
            "retired": {"since": issue.retired.since, "reason": issue.retired.reason}
            if issue.retired else None,
            "url": app.builder.get_target_uri(issue.docname),
            "snippets": [
                snippet_record(views[located.value], ledger_error)
                for located in domain.data["snippets"].get(issue.docname, [])
                if located.value in views
            ],
        })
    return {"format": FORMAT_VERSION, "project": app.config.project, "issues": records}


def write_if_changed(path: Path, text: str) -> bool:
    """Write atomically, and only when the content differs (unchanged files keep their mtime)."""
    return write_atomic(path, text, only_if_changed=True)


def write_issues_json(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    document = issues_document(app)
    write_if_changed(Path(app.outdir) / ISSUES_JSON, json.dumps(document, indent=2) + "\n")


REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{ticket}: {title}</title>
<link rel="canonical" href="{target}">
<meta http-equiv="refresh" content="0; url={target}">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
</head>
<body>
<p>{ticket} is described in <a href="{target}">{title}</a>.</p>
</body>
</html>
"""


def write_bugzilla_redirects(app: Sphinx, exception: Exception | None) -> None:
    """``bz/<number>.html`` for every BZ an issue carries, and ``jira/<KEY>.html`` for every
    Jira ticket, pointing at the issue's page (a retired issue's too: its links keep working).

    Written directly rather than through the theme: thousands of tiny pages need no
    navigation, and unchanged ones are not rewritten. Pages of tickets no longer carried go. An
    empty icon keeps browsers from asking the host for a /favicon.ico on the way.
    """
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    issues = relnotes_domain(app.env).all_issues()
    for folder, tickets in (
            ("bz", lambda issue: [(str(n), f"BZ#{n}") for n in issue.bz]),
            ("jira", lambda issue: [(key, key) for key in issue.jira])):
        directory = Path(app.outdir) / folder
        wanted = set()
        for issue in issues:
            target = html.escape(posixpath.relpath(app.builder.get_target_uri(issue.docname),
                                                   folder))
            for name, ticket in tickets(issue):
                wanted.add(f"{name}.html")
                write_if_changed(directory / f"{name}.html", REDIRECT.format(
                    ticket=ticket, title=html.escape(issue.title), target=target))
        if directory.is_dir():
            for stale in directory.glob("*.html"):
                if stale.name not in wanted:
                    stale.unlink()


def setup_output(app: Sphinx) -> None:
    # After the builder has written every page.
    app.connect("build-finished", write_issues_json, priority=500)
    app.connect("build-finished", write_bugzilla_redirects, priority=500)
