"""The ``rn:issue`` and ``rn:issue-list`` directives and the nodes they leave for resolving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.core.issue_fields import (
    FIELDS,
    PLACEHOLDER_TITLE_MESSAGE,
    FieldProblem,
    is_placeholder_title,
    read_issue_fields,
)
from relnotes.core.model import RecordError
from relnotes.core.selection import OPTIONS as SELECTION_OPTIONS
from relnotes.core.selection import read_selection
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


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
    # The one list of field names (relnotes check reads it too); MyST refuses any other.
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = dict.fromkeys(
        FIELDS, directives.unchanged)

    def run(self) -> list[nodes.Node]:
        config = relnotes_config(self.config)
        try:
            fields = read_issue_fields(self.arguments[0], self.options, config.topics,
                                       config.releases)
        except FieldProblem as problem:
            logger.warning(problem.message, location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype(problem.subtype))
            return []
        issue_id, see_also = fields.id, fields.see_also
        record = issue_record(
            issue_id=issue_id,
            bz=list(fields.bz),
            component=fields.component,
            releases=list(fields.releases),
            kind=fields.kind.value,
            topics=list(fields.topics),
            see_also=list(see_also),
            jira=list(fields.jira),
            fixed_in=fields.fixed_in,
            retired=[fields.retired.since, fields.retired.reason] if fields.retired else [],
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



class PlaceholderTitle(SphinxTransform):
    """Warns of an issue page whose title is still ``relnotes new``'s placeholder, so that a
    ``-W`` build (``relnotes publish``, ``build --strict``) does not ship "TITLE: ..."."""

    default_priority = 500  # any read-time priority: the section and its title exist by then

    def apply(self, **kwargs: object) -> None:
        for record in self.document.findall(issue_record):
            section = record.parent
            if not isinstance(section, nodes.section):
                continue
            title = section.next_node(nodes.title)
            if title is not None and is_placeholder_title(title.astext()):
                logger.warning(PLACEHOLDER_TITLE_MESSAGE, location=title if title.line else record,
                               type=WARNING_TYPE, subtype=Subtype.PLACEHOLDER)


class IssueListDirective(SphinxDirective):
    """Lists issues as a table (a component's, or those of a kind, release, topic or status);
    filled in when all pages have been read."""

    optional_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = dict.fromkeys(
        SELECTION_OPTIONS, directives.unchanged)

    def run(self) -> list[nodes.Node]:
        component = self.arguments[0] if self.arguments else None
        try:
            selection = read_selection(component, self.options,
                                       relnotes_config(self.config).topics)
        except RecordError as error:
            logger.warning(f"issue list: invalid option {error}", location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype.INVALID_FIELD)
            return []
        index = relnotes_domain(self.env).note_issue_list(self.env.docname, selection)
        placeholder = issue_list(index=index, description=selection.describe())
        self.set_source_info(placeholder)
        return [placeholder]


def _skip(self: nodes.NodeVisitor, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_issue_directives(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "issue", IssueDirective)
    app.add_directive_to_domain("rn", "issue-list", IssueListDirective)
    app.add_transform(PlaceholderTitle)
    # These nodes are replaced before writing; a writer that still meets one (a
    # builder that never resolves, like "dummy") skips it.
    for node in (issue_record, issue_footer, issue_list):
        app.add_node(node, html=(_skip, None), latex=(_skip, None), text=(_skip, None),
                     man=(_skip, None), texinfo=(_skip, None))
