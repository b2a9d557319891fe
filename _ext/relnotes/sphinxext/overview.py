"""The readers' overview: every issue in one filterable table, and each issue page's one-line answer.

Both answer "does this affect me, and does the workaround work?". They are computed from the
verification statuses of this build (``verification.views_by_snippet``) once every page is read,
and written as static HTML: the whole table is in the page, and a small script (no server)
only hides rows that do not match the filters.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from relnotes.core.ledger import SnippetStatus
from relnotes.core.model import Issue
from relnotes.core.results import GROUPS, Group, group_of
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _, kind_label
from relnotes.sphinxext.language_marks import lang_attribute, title_language
from relnotes.sphinxext.verification import SnippetView, current_ledger_or_empty, views_by_snippet
from relnotes.sphinxext.versions import Version, picker_html, target_versions

# The groups, their order, words and symbols are the results table's (core.results).
SUMMARY_GROUPS: tuple[Group, ...] = GROUPS


def group_label(group: Group) -> str:
    """The group's words in the reader's language."""
    return str(_(group.words))


Summary = tuple[tuple[str, int], ...]  # (group name, count), groups in SUMMARY_GROUPS order


def summarise(statuses: Iterable[SnippetStatus]) -> Summary:
    """How many snippets fall in each group, for one target; empty groups left out."""
    counts = dict.fromkeys((group.name for group in SUMMARY_GROUPS), 0)
    for status in statuses:
        counts[group_of(status.status).name] += 1
    return tuple((name, count) for name, count in counts.items() if count)


@dataclass(frozen=True)
class OverviewRow:
    docname: str
    id: str
    title: str
    component: str
    kind: str  # Kind value
    releases: tuple[str, ...]
    bz: tuple[int, ...]
    topics: tuple[str, ...]
    summaries: tuple[tuple[str, Summary], ...]  # (target, summary) per configured target


def issue_summaries(issue: Issue, targets: Sequence[str], views: Sequence[SnippetView]
                    ) -> tuple[tuple[str, Summary], ...]:
    return tuple(
        (target, summarise(view.statuses[index] for view in views))
        for index, target in enumerate(targets)
    )


def compute_rows(env: BuildEnvironment) -> tuple[OverviewRow, ...]:
    domain = relnotes_domain(env)
    targets = relnotes_config(env.config).targets
    by_key = views_by_snippet(env)
    rows = []
    for issue in sorted(domain.all_issues(), key=lambda issue: issue.id):
        # A snippet shown twice on a page (e.g. in two tabs) counts once.
        keys = dict.fromkeys(located.value for located in domain.data["snippets"].get(issue.docname, []))
        views = [by_key[key] for key in keys if key in by_key]
        rows.append(OverviewRow(
            issue.docname, issue.id, issue.title, issue.component, issue.kind.value,
            issue.releases, issue.bz, issue.topics, issue_summaries(issue, targets, views),
        ))
    return tuple(rows)


# -- where the overview is shown ----------------------------------------------------------


class overview_table(nodes.General, nodes.Element):
    """Placeholder for the overview, filled when the page is written."""


class OverviewDirective(SphinxDirective):
    """Shows every issue with its verification summary per target, filterable."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        placeholder = overview_table()
        self.set_source_info(placeholder)
        self.env.metadata[self.env.docname]["rn-overview"] = True
        return [placeholder]


def overview_pages(env: BuildEnvironment) -> list[str]:
    # Recorded in the page's metadata, which Sphinx clears and merges for parallel reads.
    return sorted(docname for docname, metadata in env.metadata.items()
                  if metadata.get("rn-overview") and docname in env.all_docs)


def schedule_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Overview pages change with any issue or status although their source does not."""
    rows = compute_rows(env)
    domain = relnotes_domain(env)
    previous = domain.data.get("overview")
    domain.data["overview"] = rows
    return overview_pages(env) if previous != rows else []


# -- rendering ----------------------------------------------------------------------------


def render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(overview_table)):
        rows = relnotes_domain(app.env).data.get("overview", ())
        placeholder.replace_self(nodes.raw("", overview_html(app, docname, rows), format="html"))


def _summary_html(summary: Summary) -> str:
    if not summary:
        none = html.escape(_("no snippet"))
        return f'<span class="rn-summary-none">{none}</span>'
    groups = {group.name: group for group in SUMMARY_GROUPS}
    return " ".join(
        f'<span class="rn-summary rn-summary-{name}">'
        f'<span aria-hidden="true">{groups[name].symbol}</span> '
        f"{count} {html.escape(group_label(groups[name]))}</span>"
        for name, count in summary
    )


def _versions(app: Sphinx, targets: Sequence[str]) -> list[Version]:
    versions = target_versions(current_ledger_or_empty(app.config), targets)
    return [versions[target] for target in targets]


def overview_html(app: Sphinx, docname: str, rows: Sequence[OverviewRow]) -> str:
    """Counts, filters (shown by the script), how many rows are shown, then the table: the
    issue with its facts in one cell, and a column per version ("libvirt 9.0 / QEMU 7.2")."""
    targets = relnotes_config(app.config).targets
    versions = _versions(app, targets)
    out: list[str] = ['<div class="rn-overview rn-versioned">']
    out.append(_counts_html(rows, versions))
    out.append(picker_html(versions))
    out.append(_filters_html(rows))
    shown = _("%(shown)s of %(total)s issues shown")
    out.append(f'<p class="rn-overview-shown" aria-live="polite" data-template="{html.escape(shown)}">'
               f'{html.escape(shown % {"shown": len(rows), "total": len(rows)})}</p>')
    out.append('<table class="rn-overview-table rn-stack-table">')
    caption = html.escape(_("Every issue and the state of its workaround"))
    out.append(f"<caption>{caption}</caption>")
    issue_word = html.escape(_("Issue"))
    out.append(f'<thead><tr><th scope="col">{issue_word}</th>')
    out.extend(f'<th scope="col" data-version="{html.escape(version.slug)}">{version.html()}</th>'
               for version in versions)
    out.append("</tr></thead><tbody>")
    for row in rows:
        uri = app.builder.get_relative_uri(docname, row.docname)
        statuses = sorted({name for _target, summary in row.summaries for name, _count in summary})
        searchable = " ".join((row.id, row.title, *(f"BZ#{n} {n}" for n in row.bz), *row.topics))
        attributes = {
            "data-component": row.component,
            "data-kind": row.kind,
            "data-topics": "|".join(row.topics),
            "data-releases": "|".join(row.releases),
            "data-statuses": "|".join(statuses),
            "data-text": searchable.lower(),
        }
        out.append("<tr " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attributes.items()) + ">")
        facts = " · ".join(html.escape(fact) for fact in (
            row.component, kind_label(row.kind), ", ".join(row.releases),
            ", ".join(f"BZ#{n}" for n in row.bz)) if fact)
        lang = lang_attribute(title_language(app.env, row.docname))
        out.append(f'<th scope="row"><a href="{html.escape(uri)}"{lang}>{html.escape(row.title)}</a>'
                   f'<span class="rn-overview-facts">{facts}</span></th>')
        for version, (_target, summary) in zip(versions, row.summaries, strict=True):
            groups = "|".join(name for name, _count in summary)
            out.append(f'<td data-label="{html.escape(version.full_label)}" '
                       f'data-version="{html.escape(version.slug)}" data-statuses="{groups}">'
                       f"{_summary_html(summary)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _counts_html(rows: Sequence[OverviewRow], versions: Sequence[Version]) -> str:
    """Counts by status at the top: snippets per group and version, and issues in all."""
    # "simple": the theme's opt-out from its indented, coloured definition lists.
    out = ['<dl class="rn-overview-counts simple">']
    issues = html.escape(_("Issues"))
    out.append(f"<dt>{issues}</dt><dd>{len(rows)}</dd>")
    for index, version in enumerate(versions):
        totals: dict[str, int] = {}
        for row in rows:
            for name, count in row.summaries[index][1]:
                totals[name] = totals.get(name, 0) + count
        summary = tuple((group.name, totals[group.name]) for group in SUMMARY_GROUPS
                        if totals.get(group.name))
        label = html.escape(_("Snippets on %(target)s") % {"target": "\0"}).replace(
            "\0", version.html())
        out.append(f'<dt data-version="{html.escape(version.slug)}">{label}</dt>'
                   f'<dd data-version="{html.escape(version.slug)}">{_summary_html(summary)}</dd>')
    out.append("</dl>")
    return "".join(out)


def _options(name: str, label: str, values: Iterable[tuple[str, str]]) -> str:
    control = f"rn-filter-{name}"
    everything = html.escape(_("all"))
    options = "".join(f'<option value="{html.escape(value)}">{html.escape(text)}</option>'
                      for value, text in values)
    return (f'<span class="rn-filter"><label for="{control}">{html.escape(label)}</label>'
            f'<select id="{control}" name="{name}" data-filter="{name}">'
            f'<option value="">{everything}</option>{options}</select></span>')


def _filters_html(rows: Sequence[OverviewRow]) -> str:
    # Hidden until the script runs: without it the full table is there and nothing pretends
    # to filter. Each choice lists only values some row has; the form's fields are the URL's.
    components = sorted({row.component for row in rows})
    topics = sorted({topic for row in rows for topic in row.topics})
    kinds = sorted({row.kind for row in rows})
    releases = sorted({release for row in rows for release in row.releases})
    present = {name for row in rows for _target, summary in row.summaries for name, _c in summary}
    form_label = html.escape(_("Filter the issues"))
    text_label = html.escape(_("Text or BZ number"))
    out = [f'<form class="rn-overview-filters" hidden role="search" aria-label="{form_label}">']
    out.append(f'<span class="rn-filter"><label for="rn-filter-text">{text_label}</label>'
               '<input type="search" id="rn-filter-text" name="text" data-filter="text"></span>')
    out.append(_options("component", _("Component"), ((c, c) for c in components)))
    out.append(_options("topics", _("Topic"), ((t, t) for t in topics)))
    out.append(_options("kind", _("Kind"), ((k, kind_label(k)) for k in kinds)))
    out.append(_options("releases", _("Release"), ((r, r) for r in releases)))
    out.append(_options("statuses", _("Status"),
                        ((g.name, group_label(g)) for g in SUMMARY_GROUPS if g.name in present)))
    reset = html.escape(_("Reset the filters"))
    out.append(f'<button type="reset" class="rn-filter-reset">{reset}</button>')
    out.append("</form>")
    return "".join(out)


def setup_overview(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "overview", OverviewDirective)
    app.add_node(overview_table, html=(_skip, None), text=(_skip, None), latex=(_skip, None))
    # After verification.py's env-updated handler (500), whose views it summarises.
    app.connect("env-updated", schedule_rewrites, priority=600)
    app.connect("doctree-resolved", render, priority=390)
    app.connect("html-page-context", _add_script, priority=500)


def _add_script(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                doctree: nodes.document | None) -> None:
    # Only the pages that show the overview load its filters.
    if pagename in overview_pages(app.env):
        app.add_js_file("relnotes-overview.js", defer="defer")


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode
