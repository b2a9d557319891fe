"""Collects issues, references and reachability from each doctree as it is read."""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from relnotes.core.issue_fields import unreachable_message
from relnotes.core.model import Issue, Kind, Retirement
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.issue import issue_footer, issue_record
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


def collect_doctree(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    domain = relnotes_domain(env)
    docname = env.docname
    for record in doctree.findall(issue_record):
        title = env.titles[docname].astext() if docname in env.titles else record["issue_id"]
        issue = Issue(
            id=record["issue_id"],
            title=title,
            docname=docname,
            component=record["component"],
            releases=tuple(record["releases"]),
            kind=Kind(record["kind"]),
            bz=tuple(record["bz"]),
            topics=tuple(record["topics"]),
            see_also=tuple(record["see_also"]),
            jira=tuple(record.get("jira", [])),
            fixed_in=record.get("fixed_in", ""),
            retired=Retirement(*record["retired"]) if record.get("retired") else None,
        )
        domain.note_issue(issue, record)
    _move_footers_to_end(doctree)
    references = [
        (str(xref["reftype"]), str(xref["reftarget"]))
        for xref in doctree.findall(addnodes.pending_xref)
        if xref.get("refdomain") == "rn"
    ]
    domain.note_references(docname, references)


def _move_footers_to_end(doctree: nodes.document) -> None:
    # Authors put the directive under the title; its footer belongs after the
    # page's own sections, where readers look for "see also" and backlinks.
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return
    for footer in list(doctree.findall(issue_footer)):
        footer.parent.remove(footer)
        top += footer


def check_reachable(app: Sphinx, env: BuildEnvironment) -> None:
    """Warn for issue pages that no toctree includes: readers could only find them by search."""
    included = {child for children in env.toctree_includes.values() for child in children}
    for located in relnotes_domain(env).issues.values():
        issue: Issue = located.value
        if issue.docname not in included:
            logger.warning(
                unreachable_message(issue.id),
                location=(issue.docname, located.lineno),
                type=WARNING_TYPE,
                subtype=Subtype.UNREACHABLE,
            )


def setup_collector(app: Sphinx) -> None:
    # Default priority: after Sphinx's own collectors have stored the page title.
    app.connect("doctree-read", collect_doctree, priority=500)
    app.connect("env-check-consistency", check_reachable, priority=500)
