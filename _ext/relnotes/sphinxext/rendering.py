"""Renders the parts of pages that depend on the whole site, once every page is read.

Each page's computed parts are derived as plain data (a "view"); a page is rewritten when its
view changes, so incremental builds stay correct without rewriting every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

from relnotes.core.model import Issue, RelatedIssues, issues_by_bz
from relnotes.core.releases import release_order, release_slugs
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import RelnotesDomain, relnotes_domain
from relnotes.sphinxext.i18n import _, kind_label
from relnotes.sphinxext.issue import issue_footer, issue_list, issue_record
from relnotes.sphinxext.language_marks import language_classes, title_language
from relnotes.sphinxext.releases import release_page
from relnotes.sphinxext.tables import build_table

Link = tuple[str, str]  # (docname, title)


@dataclass(frozen=True)
class IssuePageView:
    related: tuple[Link, ...]
    referenced_by: tuple[Link, ...]
    #: (release, page name) of each release the issue names, for links to the release pages.
    release_pages: tuple[tuple[str, str], ...] = ()


Row = tuple[str, str, str, str, str]  # docname, id, title, tickets, kind


@dataclass(frozen=True)
class IssueListView:
    rows: tuple[tuple[Row, ...], ...]  # per rn:issue-list of the page, in order


def compute_views(env: BuildEnvironment) -> dict[str, IssuePageView | IssueListView]:
    domain = relnotes_domain(env)
    issues = domain.all_issues()
    by_id = {issue.id: issue for issue in issues}
    by_bz = issues_by_bz(issues)
    referencing: dict[str, set[str]] = {}
    for docname, references in domain.data["references"].items():
        for reftype, target in references:
            issue = by_id.get(target) if reftype == "issue" else (
                by_bz.get(int(target)) if reftype == "bz" and target.isdigit() else None
            )
            if issue is not None and issue.docname != docname:
                referencing.setdefault(issue.id, set()).add(docname)

    def title_of(docname: str) -> str:
        title = env.titles.get(docname)
        return title.astext() if title is not None else docname

    views: dict[str, IssuePageView | IssueListView] = {}
    names = {release for issue in issues for release in (*issue.releases, issue.fixed_in)
             if release}
    slugs = release_slugs(release_order(names, relnotes_config(env.config).releases))
    topic_index = RelatedIssues(issues)
    limit = relnotes_config(env.config).related_limit
    for issue in issues:
        views[issue.docname] = IssuePageView(
            related=tuple(
                (by_id[other].docname, by_id[other].title)
                for other in topic_index.related(issue, limit)
            ),
            referenced_by=tuple(
                (docname, title_of(docname)) for docname in sorted(referencing.get(issue.id, ()))
            ),
            release_pages=tuple((release, release_page(slugs[release]))
                                for release in dict.fromkeys((*issue.releases, issue.fixed_in))
                                if release),
        )
    by_id_order = sorted(issues, key=lambda issue: issue.id)
    for docname, selections in domain.data["issue_lists"].items():
        views[docname] = IssueListView(tuple(
            tuple((issue.docname, issue.id, issue.title, _tickets_text(issue), issue.kind.value)
                  for issue in by_id_order if selection.matches(issue))
            for selection in selections
        ))
    return views


def _tickets_text(issue: Issue) -> str:
    return ", ".join([*(f"BZ#{number}" for number in issue.bz), *issue.jira])


def schedule_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose computed parts changed although their source did not."""
    return relnotes_domain(env).update_views("rendered", dict(compute_views(env)))


def render_doctree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    domain = relnotes_domain(app.env)
    view = domain.data["rendered"].get(docname)
    renderer = _Renderer(app, domain, docname)
    pages = dict(view.release_pages) if isinstance(view, IssuePageView) else {}
    for record in list(doctree.findall(issue_record)):
        banner = renderer.retired_banner(record)
        record.replace_self([*banner, renderer.metadata(record, pages)])
    for footer in list(doctree.findall(issue_footer)):
        if isinstance(view, IssuePageView):
            renderer.append_links(footer, "related-issues", _("Related issues"), view.related)
            renderer.append_links(footer, "referenced-by", _("Referenced by"), view.referenced_by)
        footer.replace_self(footer.children)
    for placeholder in list(doctree.findall(issue_list)):
        index = placeholder["index"]
        rows = view.rows[index] if isinstance(view, IssueListView) and index < len(view.rows) \
            else ()
        placeholder.replace_self(renderer.issue_table(placeholder["description"], rows))


class _Renderer:
    def __init__(self, app: Sphinx, domain: RelnotesDomain, docname: str) -> None:
        self.app = app
        self.domain = domain
        self.docname = docname
        self.config = relnotes_config(app.config)

    def uri(self, target_doc: str, anchor: str = "") -> str:
        uri = self.app.builder.get_relative_uri(self.docname, target_doc)
        return f"{uri}#{anchor}" if anchor else uri

    def link(self, text: str, refuri: str, *, internal: bool = True) -> nodes.reference:
        return nodes.reference("", text, internal=internal, refuri=refuri)

    def page_link(self, title: str, docname: str) -> nodes.reference:
        """A link to a page by its title, in the title's language when it is not the page's."""
        link = self.link(title, self.uri(docname))
        link["classes"].extend(language_classes(title_language(self.app.env, docname)))
        return link

    def release(self, name: str, pages: dict[str, str]) -> nodes.Node:
        """A release, linked to its page where the builder writes release pages."""
        if name in pages and self.config.release_pages \
                and isinstance(self.app.builder, StandaloneHTMLBuilder) \
                and self.app.builder.name != "singlehtml":
            return self.link(name, self.uri(pages[name]))
        return nodes.Text(name)

    def retired_banner(self, record: issue_record) -> list[nodes.Node]:
        """Why and since when a retired issue is retired, above everything else it says."""
        if not record.get("retired"):
            return []
        since, reason = record["retired"]
        banner = nodes.admonition(classes=["rn-retired", "warning"])
        banner += nodes.title("", _("Retired"))
        banner += nodes.paragraph("", _("Retired since %(since)s: %(reason)s") % {
            "since": since, "reason": reason})
        return [banner]

    def metadata(self, record: issue_record, pages: dict[str, str]) -> nodes.Node:
        fields = nodes.field_list(classes=["rn-issue-metadata"], ids=record["ids"])

        def add(name: str, body: Iterable[nodes.Node]) -> None:
            paragraph = nodes.paragraph()
            first = True
            for piece in body:
                if not first:
                    paragraph += nodes.Text(", ")
                paragraph += piece
                first = False
            fields.append(nodes.field("", nodes.field_name("", name), nodes.field_body("", paragraph)))

        add(_("Issue"), [nodes.literal("", record["issue_id"])])
        add(_("Bugzilla"), [
            self.link(f"BZ#{number}", self.config.bugzilla_url.format(bz=number), internal=False)
            for number in record["bz"]
        ] or [nodes.Text(_("none given"))])
        if record.get("jira"):
            add(_("Jira"), [
                self.link(key, self.config.jira_url.format(key=key), internal=False)
                for key in record["jira"]
            ])
        component = record["component"]
        page = self.config.components.get(component, f"components/{component}")
        add(_("Component"), [
            self.link(component, self.uri(page)) if page in self.app.env.all_docs
            else nodes.Text(component)
        ])
        add(_("Affected releases"), [self.release(name, pages) for name in record["releases"]])
        if record.get("fixed_in"):
            add(_("Fixed in"), [self.release(record["fixed_in"], pages)])
        kind = kind_label(record["kind"])  # also the kind index's group, as the domain names it
        add(_("Kind"), [self.link(kind, self.uri("rn-kind", f"cap-{kind}"))])
        add(_("Topics"), [
            self.link(topic, self.uri("rn-topic", f"cap-{topic}")) for topic in record["topics"]
        ] or [nodes.Text(_("none"))])
        return fields

    def append_links(self, footer: issue_footer, name: str, heading: str, links: tuple[Link, ...]) -> None:
        if not links:
            return
        footer += nodes.rubric("", heading)
        items = nodes.bullet_list(classes=[f"rn-{name}"])
        for docname, title in links:
            items += nodes.list_item("", nodes.paragraph("", "", self.page_link(title, docname)))
        footer += items

    def issue_table(self, description: str, rows: tuple[Row, ...]) -> nodes.Node:
        if not rows:
            if not description:
                return nodes.paragraph("", _("No issues are recorded."))
            text = _("No issues are recorded for %(component)s.") % {"component": description}
            return nodes.paragraph("", text)
        return build_table(
            (_("Issue"), _("Tickets"), _("Kind"), _("Id")),
            (
                [self.page_link(title, docname), nodes.Text(bz or "—"), nodes.Text(kind_label(kind)),
                 nodes.literal("", issue_id)]
                for docname, issue_id, title, bz, kind in rows
            ),
            classes=["rn-issue-list"],
            widths=(40, 15, 15, 30),
        )


def setup_rendering(app: Sphinx) -> None:
    app.connect("env-updated", schedule_rewrites, priority=500)
    # Before other doctree-resolved handlers, so they see final nodes.
    app.connect("doctree-resolved", render_doctree, priority=400)
