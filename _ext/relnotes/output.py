"""Machine-readable output: ``issues.json`` and the ``bz/<number>.html`` redirect pages."""

from __future__ import annotations

import json
import os
import posixpath
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from relnotes.domain import relnotes_domain
from relnotes.snippet import snippet_record

ISSUES_JSON = "issues.json"
FORMAT_VERSION = 1


def issues_document(app: Sphinx) -> dict[str, Any]:
    domain = relnotes_domain(app.env)
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
            "url": app.builder.get_target_uri(issue.docname),
            "snippets": [
                snippet_record(app, located.value)
                for located in domain.data["snippets"].get(issue.docname, [])
            ],
        })
    return {"format": FORMAT_VERSION, "project": app.config.project, "issues": records}


def write_atomically(path: Path, text: str) -> None:
    """Readers never see a half-written file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def write_issues_json(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    document = issues_document(app)
    write_atomically(Path(app.outdir) / ISSUES_JSON, json.dumps(document, indent=2) + "\n")


def bugzilla_redirects(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    for issue in relnotes_domain(app.env).all_issues():
        for number in issue.bz:
            pagename = f"bz/{number}"
            target = app.builder.get_target_uri(issue.docname)
            yield pagename, {
                "bz": number,
                "issue_title": issue.title,
                "target_uri": posixpath.relpath(target, posixpath.dirname(pagename)),
            }, "relnotes/redirect.html"


def setup_output(app: Sphinx) -> None:
    app.connect("html-collect-pages", bugzilla_redirects, priority=500)
    # After the builder has written every page (and the snippets' status is final).
    app.connect("build-finished", write_issues_json, priority=500)
