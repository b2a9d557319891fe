"""What a reader sees of the compatibility: one line of status under each snippet, the evidence
in one disclosure, the issue page's answer per version, and the tables of every snippet on
every version (the compatibility page and the snippets page).

Computed from ``compatibility.Compatibility`` (this build's statuses and the ledger's fields);
every version is named "libvirt 9.0 / QEMU 7.2" (``versions.Version``), its codename only in a
tooltip. Each cell and row carries ``data-version`` so the version picker (``relnotes.js``)
can answer for the reader's version first; without the script every version is shown.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from datetime import date
from typing import Any

import babel.dates
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from relnotes.sphinxext.compatibility import (
    METADATA_KEY,
    Cell,
    Compatibility,
    compatibility_matrix,
    current_ledger_or_empty,
    need_sentences,
    ordered_targets,
    sentence,
)
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _, current_language
from relnotes.sphinxext.issue import issue_record
from relnotes.sphinxext.language_marks import foreign_language, lang_attribute, title_language
from relnotes.sphinxext.overview import SUMMARY_GROUPS, group_label
from relnotes.sphinxext.snippet import snippet_anchor, snippet_status
from relnotes.sphinxext.verification import snippet_table
from relnotes.sphinxext.versions import Version, picker_html, target_versions

_GROUPS = {group.name: group for group in SUMMARY_GROUPS}


# -- words ----------------------------------------------------------------------------------


def leading_group(compatibility: Compatibility) -> str:
    """The group the line's symbol shows: the first, in SUMMARY_GROUPS order, of its cells."""
    present = {cell.group for cell in compatibility.cells}
    return next(group.name for group in SUMMARY_GROUPS if group.name in present)


def mutation_text(compatibility: Compatibility) -> str | None:
    """ "every line needed" when every deliberately broken copy of the snippet failed its check
    on every version that measured it; nothing when none did."""
    if not compatibility.mutations:
        return None
    if all(mutation.every_line_needed for mutation in compatibility.mutations):
        return str(_("every line needed"))
    return str(_("not every line shown to be needed"))


def day_text(day: date, language: str) -> str:
    """E.g. "Dec 2, 2026"; "2026年12月2日" in Japanese."""
    return str(babel.dates.format_skeleton("yMMMd", day, locale=language or "en"))


def _without_reasons(compatibility: Compatibility) -> Compatibility:
    cells = tuple(dataclasses.replace(cell, reason=None) for cell in compatibility.cells)
    return dataclasses.replace(compatibility, cells=cells)


# -- HTML -----------------------------------------------------------------------------------


def symbol_html(group_name: str) -> str:
    group = _GROUPS[group_name]
    return (f'<span class="rn-summary rn-summary-{group.name}" aria-hidden="true">'
            f"{group.symbol}</span>")


def cell_html(cell: Cell, *, with_version: bool = True) -> str:
    group = _GROUPS[cell.group]
    version = (f'<span class="rn-compat-version">{cell.version.html()}</span> '
               if with_version else "")
    return (f'<span class="rn-compat-cell rn-summary rn-summary-{group.name}" '
            f'data-target="{html.escape(cell.version.target)}" '
            f'data-version="{html.escape(cell.version.slug)}">{version}'
            f'<span aria-hidden="true">{group.symbol}</span> {html.escape(group_label(group))}</span>')


def several_reasons(compatibility: Compatibility) -> bool:
    """Versions fail for reasons worded differently: the line says where, the evidence why."""
    return len({cell.reason for cell in compatibility.cells if cell.reason}) > 1


def status_line_html(compatibility: Compatibility, language: str,
                     check_uri: str | None = None, foreign: str = "") -> str:
    """One line: symbol, the sentence over every version, "every line needed", the day.

    A step of another snippet's check says its outcome without the reason, which is said once,
    under the snippet whose check it is; reasons worded differently per version are said in
    the evidence. ``foreign``: the records' language on a translation (their words inserted
    into the sentences are marked as such), else "".
    """
    if compatibility.check is not None and check_uri is not None:
        words = sentence(_without_reasons(compatibility), foreign).rstrip(".")
        link = (f'<a href="{html.escape(check_uri)}"><code>'
                f"{html.escape(compatibility.check.rsplit('/', 1)[-1])}</code></a>")
        parts = [str(_("%(outcome)s, as a step of %(check)s")
                     % {"outcome": words, "check": link})]
    elif several_reasons(compatibility):
        words = sentence(_without_reasons(compatibility), foreign).rstrip(".")
        parts = [str(_("%(outcome)s (why: in the evidence below)") % {"outcome": words})]
    else:
        parts = [sentence(compatibility, foreign)]
    mutation = mutation_text(compatibility)
    if mutation is not None:
        parts.append(html.escape(mutation))
    if compatibility.latest is not None:
        parts.append(f'<time datetime="{compatibility.latest.isoformat()}">'
                     f"{html.escape(day_text(compatibility.latest, language))}</time>")
    return (f'<p class="rn-status-line">{symbol_html(leading_group(compatibility))} '
            + " · ".join(parts) + "</p>")


def evidence_head_html(compatibility: Compatibility, *, say_why: bool = True,
                       foreign: str = "") -> str:
    """The first part of the evidence: what the controls, the unchanged guest and the broken
    copies showed, and the reasons the line does not say (verification.py adds a line per
    version after it). ``say_why`` false: a step of a check shown on the same page, whose
    snippet says why. ``foreign``: as for ``status_line_html``."""
    why = [sentence(compatibility, foreign)] if say_why and several_reasons(compatibility) else []
    # Whether each part is needed is said by verification.py (necessity.py's sentences).
    # Still needed or not (from the records' symptom) is the necessity sentences' to say.
    sentences = [*why, *need_sentences(compatibility, foreign)]
    paragraphs = "".join(f'<p class="rn-compat-need">{text}</p>' for text in sentences)
    paragraphs += "".join(f'<p class="rn-snippet-reason">{html.escape(version.full_label)}: '
                          f"{_marked(reason, foreign)}</p>" for version, reason in compatibility.unsaid)
    return f'<div class="rn-compat">{paragraphs}</div>' if paragraphs else ""


def _marked(text: str, foreign: str) -> str:
    """The records' words, escaped, marked as being in ``foreign`` when it is not ""."""
    escaped = html.escape(text)
    return f'<span lang="{html.escape(foreign)}">{escaped}</span>' if foreign else escaped


def _versions(app: Sphinx) -> list[Version]:
    order = ordered_targets(relnotes_config(app.config).targets)
    versions = target_versions(current_ledger_or_empty(app.env), order)
    return [versions[target] for target in order]


def _heading_cells(versions: Sequence[Version]) -> str:
    return "".join(f'<th scope="col" data-version="{html.escape(version.slug)}">'
                   f"{version.html()}</th>" for version in versions)


def _row_cells(compatibility: Compatibility) -> str:
    return "".join(
        f'<td data-label="{html.escape(cell.version.full_label)}" '
        f'data-version="{html.escape(cell.version.slug)}">{cell_html(cell, with_version=False)}</td>'
        for cell in compatibility.cells)


def _snippet_heading(compatibility: Compatibility, uri: str, issue_label: str | None,
                     foreign: str) -> str:
    anchor = f"{uri}#{snippet_anchor(compatibility.key)}"
    issue = (f'<span class="rn-compat-issue-id">{html.escape(issue_label)}</span> '
             if issue_label else "")
    needs = "".join(f'<p class="rn-compat-need">{text}</p>'
                    for text in need_sentences(compatibility, foreign))
    return (f'<th scope="row">{issue}<a href="{html.escape(anchor)}"><code>'
            f"{html.escape(compatibility.key)}</code></a>"
            f'<p class="rn-compat-sentence">{table_sentence(compatibility, foreign)}</p>'
            f"{needs}</th>")


def table_sentence(compatibility: Compatibility, foreign: str = "") -> str:
    """The row's sentence in a table of snippets, as HTML: a step of another snippet's check,
    or a snippet failing for reasons worded per version, leaves the reasons to the issue page
    (``foreign``: as for ``status_line_html``)."""
    if compatibility.check is not None:
        outcome = sentence(_without_reasons(compatibility), foreign).rstrip(".")
        return str(_("%(outcome)s, as a step of %(check)s") % {
            "outcome": outcome, "check": html.escape(compatibility.check.rsplit("/", 1)[-1])})
    if several_reasons(compatibility):
        outcome = sentence(_without_reasons(compatibility), foreign).rstrip(".")
        return str(_("%(outcome)s (why: under the snippet on its page)") % {"outcome": outcome})
    return sentence(compatibility, foreign)


def matrix_html(app: Sphinx, docname: str, compatibilities: dict[str, Compatibility]) -> str:
    """Every issue's snippets, a row each, a column per version: a table per issue."""
    domain = relnotes_domain(app.env)
    versions = _versions(app)
    snippet_word = html.escape(_("Snippet"))
    none_word = html.escape(_("This issue has no workaround snippet."))
    heading = f'<th scope="col">{snippet_word}</th>' + _heading_cells(versions)
    foreign = foreign_language(app.config)
    out = ['<div class="rn-compat-matrix rn-versioned">', picker_html(versions)]
    for issue in sorted(domain.all_issues(), key=lambda issue: issue.id):
        keys = dict.fromkeys(located.value for located in domain.data["snippets"].get(issue.docname, []))
        shown = [compatibilities[key] for key in keys if key in compatibilities]
        uri = app.builder.get_relative_uri(docname, issue.docname)
        out.append(f'<section class="rn-compat-issue" id="compat-{html.escape(issue.id)}">')
        lang = lang_attribute(title_language(app.env, issue.docname))
        out.append(f'<h2><a href="{html.escape(uri)}"{lang}>{html.escape(issue.title)}</a></h2>')
        if not shown:
            out.append(f"<p>{none_word}</p></section>")
            continue
        out.append(f'<table class="rn-stack-table rn-compat-table"><thead><tr>{heading}'
                   "</tr></thead><tbody>")
        for compatibility in shown:
            out.append(f"<tr>{_snippet_heading(compatibility, uri, None, foreign)}"
                       f"{_row_cells(compatibility)}</tr>")
        out.append("</tbody></table></section>")
    out.append("</div>")
    return "\n".join(out)


def snippets_table_html(app: Sphinx, docname: str, compatibilities: dict[str, Compatibility]) -> str:
    """Every included snippet in one table: its issue, its sentence, a cell per version."""
    domain = relnotes_domain(app.env)
    versions = _versions(app)
    uses = sorted({(located.value, using_doc)
                   for using_doc, located_uses in domain.data["snippets"].items()
                   for located in located_uses})
    snippet_word = html.escape(_("Snippet"))
    foreign = foreign_language(app.config)
    out = ['<div class="rn-versioned">', picker_html(versions),
           '<table class="rn-stack-table rn-snippet-table"><thead><tr>'
           f'<th scope="col">{snippet_word}</th>{_heading_cells(versions)}'
           "</tr></thead><tbody>"]
    seen = set()
    for key, using_doc in uses:
        compatibility = compatibilities.get(key)
        if compatibility is None or key in seen:
            continue
        seen.add(key)
        issue = domain.issue_for_doc(using_doc)
        uri = app.builder.get_relative_uri(docname, using_doc)
        label = issue.id if issue else using_doc
        out.append(f"<tr>{_snippet_heading(compatibility, uri, label, foreign)}"
                   f"{_row_cells(compatibility)}</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def versions_table_html(app: Sphinx) -> str:
    """The about page's mapping: each version as readers name it, and the environment (a
    Debian suite's packages, built into a container) it was verified in."""
    headings = "".join(f'<th scope="col">{html.escape(str(word))}</th>' for word in (
        _("Version"), _("libvirt"), _("QEMU"), _("Verified in")))
    rows = "".join(
        f"<tr><td>{html.escape(version.full_label)}</td><td>{html.escape(version.libvirt or '')}"
        f"</td><td>{html.escape(version.qemu or '')}</td>"
        f"<td>{html.escape(version.tooltip)} (<code>{html.escape(version.target)}</code>)</td></tr>"
        for version in _versions(app))
    return (f'<table class="rn-versions-table"><thead><tr>{headings}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def answer_html(app: Sphinx, docname: str, compatibilities: dict[str, Compatibility]) -> str | None:
    """The issue page's answer, a line per version: the snippets that work there (linked),
    those known to fail with the reason once, and whether the problem shows there."""
    domain = relnotes_domain(app.env)
    keys = dict.fromkeys(located.value for located in domain.data["snippets"].get(docname, []))
    shown = [compatibilities[key] for key in keys if key in compatibilities]
    if not shown:
        none_word = html.escape(_("This issue has no workaround snippet."))
        return f'<p class="rn-answer">{none_word}</p>'
    versions = _versions(app)
    lines = []
    for index, version in enumerate(versions):
        works = [item for item in shown if item.cells[index].group == "verified"]
        parts = []
        affected = [symptom.present for item in shown for symptom in item.symptoms
                    if symptom.version.target == version.target]
        if affected:
            parts.append(html.escape(_("affected") if any(affected) else _("not affected")))
        if works:
            links = ", ".join(_snippet_link(item.key)
                              for item in [item for item in works if item.check is None] or works)
            parts.append(f"{symbol_html('verified')} " + str(_("works: %(snippets)s")
                                                              % {"snippets": links}))
        else:
            parts.append(f"{symbol_html('not-verified')} "
                         + html.escape(_("no snippet is verified to work")))
        for group, with_steps, alone in (
                ("known-failure", _("known to fail: %(snippets)s (with %(steps)s steps checked "
                                    "with it)"), _("known to fail: %(snippets)s")),
                ("fails", _("fails: %(snippets)s (with %(steps)s steps checked with it)"),
                 _("fails: %(snippets)s"))):
            failing = [item for item in shown if item.cells[index].group == group]
            checks = [item for item in failing if item.check is None]
            if checks:
                steps = len(failing) - len(checks)
                links = ", ".join(_snippet_link(item.key) for item in checks)
                text = (with_steps if steps else alone) % {"snippets": links, "steps": steps}
                parts.append(f"{symbol_html(group)} {text}")
        lines.append(f'<li data-version="{html.escape(version.slug)}"><strong>{version.html()}'
                     "</strong>: " + "; ".join(parts) + "</li>")
    label = html.escape(_("Does it affect your version, and what works"))
    return (f'<div class="rn-answer rn-versioned"><p class="rn-answer-title">{label}</p>'
            f"{picker_html(versions)}"
            f'<ul class="rn-answer-versions">{"".join(lines)}</ul></div>')


def _snippet_link(key: str) -> str:
    return (f'<a href="#{html.escape(snippet_anchor(key))}"><code>'
            f"{html.escape(key.rsplit('/', 1)[-1])}</code></a>")


# -- Sphinx ---------------------------------------------------------------------------------


def render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    domain = relnotes_domain(app.env)
    compatibilities: dict[str, Compatibility] = domain.data.get("compatibility", {})
    for placeholder in list(doctree.findall(compatibility_matrix)):
        placeholder.replace_self(nodes.raw("", matrix_html(app, docname, compatibilities),
                                           format="html"))
    for table_of_versions in list(doctree.findall(versions_table)):
        table_of_versions.replace_self(nodes.raw("", versions_table_html(app), format="html"))
    for table in list(doctree.findall(snippet_table)):
        table.replace_self(nodes.raw("", snippets_table_html(app, docname, compatibilities),
                                     format="html"))
    for record in list(doctree.findall(issue_record)):
        parent = record.parent
        answer = answer_html(app, docname, compatibilities)
        if parent is not None and answer is not None:
            parent.insert(parent.index(record), nodes.raw("", answer, format="html"))
    language = current_language(app.config)
    foreign = foreign_language(app.config)
    shown = {located.value for located in domain.data["snippets"].get(docname, [])}
    # Under each snippet: its line of status, then (filled by verification.py, which replaces
    # the placeholder afterwards) the one disclosure of evidence, which starts with the cells.
    for status in list(doctree.findall(snippet_status)):
        compatibility = compatibilities.get(status["key"])
        parent = status.parent
        if compatibility is None or parent is None:
            continue
        check_uri = (f"#{snippet_anchor(compatibility.check)}"
                     if compatibility.check is not None and compatibility.check in shown else None)
        parent.insert(parent.index(status),
                      nodes.raw("", status_line_html(compatibility, language, check_uri, foreign),
                                format="html"))
        status["evidence_head"] = evidence_head_html(compatibility, say_why=check_uri is None,
                                                     foreign=foreign)
        status["evidence_groups"] = {cell.version.target: cell.group
                                     for cell in compatibility.cells}


class versions_table(nodes.General, nodes.Element):
    """Placeholder for the table of versions, filled when the page is written."""


class VersionsDirective(SphinxDirective):
    """Lists each version as readers name it and the environment it stands for."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        placeholder = versions_table()
        self.set_source_info(placeholder)
        # Rewritten with the matrix whenever versions change (compatibility.py).
        self.env.metadata[self.env.docname][METADATA_KEY] = True
        return [placeholder]


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_status_line(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "versions", VersionsDirective)
    app.add_node(versions_table, html=(_skip, None), text=(_skip, None), latex=(_skip, None))
    # Before verification.py (400) replaces the snippet_status placeholders it reads, and
    # before rendering.py (400) replaces the issue record the answer is placed above.
    app.connect("doctree-resolved", render, priority=395)
