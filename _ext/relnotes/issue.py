"""The ``rn:issue`` and ``rn:issue-list`` directives and the nodes they leave for resolving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.config import relnotes_config
from relnotes.domain import relnotes_domain
from relnotes.i18n import _
from relnotes.model import (
    RecordError,
    parse_bz_numbers,
    parse_issue_id,
    parse_kind,
    parse_topics,
    split_list,
)
from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("component", "releases", "kind")


class issue_record(nodes.General, nodes.Element):
    """Metadata of the page's issue; attributes hold the parsed record fields."""


class issue_footer(nodes.General, nodes.Element):
    """Where "See also", "Related issues" and "Referenced by" go, at the end of the page."""


class issue_list(nodes.General, nodes.Element):
    """Placeholder for a component's table of issues, filled once all issues are known."""


class IssueDirective(SphinxDirective):
    """Declares the issue that the current page describes."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "bz": directives.unchanged,
        "component": directives.unchanged,
        "releases": directives.unchanged,
        "kind": directives.unchanged,
        "topics": directives.unchanged,
        "see-also": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        try:
            issue_id = parse_issue_id(self.arguments[0])
        except RecordError as error:
            return self._invalid(error)
        missing = [name for name in REQUIRED_FIELDS if not self.options.get(name, "").strip()]
        if missing:
            logger.warning(
                "issue %r: missing required field(s): %s",
                issue_id,
                ", ".join(missing),
                location=self.get_location(),
                type=WARNING_TYPE,
                subtype=Subtype.MISSING_FIELD,
            )
            return []
        vocabulary = relnotes_config(self.config).topics
        try:
            bz = parse_bz_numbers(self.options.get("bz"))
            kind = parse_kind(self.options["kind"].strip())
            topics = parse_topics(self.options.get("topics"), vocabulary)
            see_also = tuple(parse_issue_id(item) for item in split_list(self.options.get("see-also")))
        except RecordError as error:
            return self._invalid(error, issue_id)

        record = issue_record(
            issue_id=issue_id,
            bz=list(bz),
            component=self.options["component"].strip(),
            releases=list(split_list(self.options["releases"])),
            kind=kind.value,
            topics=list(topics),
            see_also=list(see_also),
        )
        self.set_source_info(record)
        record["ids"].append(f"rn-issue-{issue_id}")
        footer = issue_footer(issue_id=issue_id)
        self.set_source_info(footer)
        if see_also:
            footer += nodes.rubric("", _("See also"))
            items = nodes.bullet_list()
            for target in see_also:
                xref = addnodes.pending_xref(
                    "", nodes.inline(target, target), refdomain="rn", reftype="issue",
                    reftarget=target, refwarn=True, refexplicit=False,
                    refdoc=self.env.docname,
                )
                self.set_source_info(xref)
                items += nodes.list_item("", nodes.paragraph("", "", xref))
            footer += items
        return [record, footer]

    def _invalid(self, error: RecordError, issue_id: str | None = None) -> list[nodes.Node]:
        prefix = f"issue {issue_id!r}: " if issue_id else ""
        logger.warning(
            "%sinvalid field %s",
            prefix,
            error,
            location=self.get_location(),
            type=WARNING_TYPE,
            subtype=Subtype.INVALID_FIELD,
        )
        return []


class IssueListDirective(SphinxDirective):
    """Lists a component's issues as a table; filled in when all pages have been read."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        component = self.arguments[0].strip()
        placeholder = issue_list(component=component)
        relnotes_domain(self.env).note_issue_list(self.env.docname, component)
        self.set_source_info(placeholder)
        return [placeholder]


def _skip(self: nodes.NodeVisitor, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_issue_directives(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "issue", IssueDirective)
    app.add_directive_to_domain("rn", "issue-list", IssueListDirective)
    # These nodes are replaced before writing; a writer that still meets one (a
    # builder that never resolves, like "dummy") skips it.
    for node in (issue_record, issue_footer, issue_list):
        app.add_node(node, html=(_skip, None), latex=(_skip, None), text=(_skip, None),
                     man=(_skip, None), texinfo=(_skip, None))
