"""Compatibility per snippet: a cell per target (oldest first), one computed sentence, whether the
workaround is still needed there, and the site page listing every snippet on every version.

Everything comes from this build's statuses (``verification.views_by_snippet``: stale and
missing already derived) and from the ledger records' fields (``reason``, ``environment``,
``symptom``), never from prose. Statuses are grouped, and each group worded, by the results
table (``core.results``).
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

from relnotes.core.ledger import Ledger, Record, Status, SymptomObservation
from relnotes.core.results import group_of
from relnotes.core.targets import TARGET_NAMES
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.overview import SUMMARY_GROUPS, group_label
from relnotes.sphinxext.snippet import snippet_anchor, snippet_status
from relnotes.sphinxext.verification import (
    SnippetView,
    current_ledger,
    pending_text,
    views_by_snippet,
)

METADATA_KEY = "rn-compatibility-matrix"


@dataclass(frozen=True)
class Version:
    """How a target is named to readers: its libvirt version when the ledger knows it."""

    target: str
    libvirt: str | None  # "9.0", from the records' environments

    @property
    def label(self) -> str:
        if self.libvirt is None:
            return self.target
        return str(_("libvirt %(version)s") % {"version": self.libvirt})


@dataclass(frozen=True)
class Cell:
    version: Version
    group: str  # a SUMMARY_GROUPS name
    reason: str | None  # the record's stated reason (failures, not verifiable)


@dataclass(frozen=True)
class Need:
    """On one target, what the controls say about the workaround's necessity."""

    version: Version
    needed: bool
    values: str  # "probe = value on the unchanged guest", from the record's symptom


@dataclass(frozen=True)
class Compatibility:
    key: str
    cells: tuple[Cell, ...]
    pending: str | None  # the spec is pending: no check exists on any target
    needs: tuple[Need, ...]


# -- computing ------------------------------------------------------------------------------


def ordered_targets(targets: Sequence[str]) -> list[str]:
    """The site's targets oldest first, as the catalogue lists them (unknown ones last)."""
    order = {name: index for index, name in enumerate(TARGET_NAMES)}
    return sorted(targets, key=lambda target: (order.get(target, len(order)), target))


def target_versions(ledger: Ledger, targets: Sequence[str]) -> dict[str, Version]:
    """Each target's libvirt version, from its records of the latest run (name if none)."""
    latest: dict[str, Record] = {}
    for record in ledger.records.values():
        current = latest.get(record.target)
        if current is None or record.run_sequence > current.run_sequence:
            latest[record.target] = record
    versions = {}
    for target in targets:
        newest = latest.get(target)
        libvirt = None
        if newest is not None:
            libvirt = ".".join(newest.environment.libvirt_version.split(".")[:2])
        versions[target] = Version(target, libvirt)
    return versions


# A symptom value longer than this (a QEMU command line, cut short by the engine) tells a
# reader nothing; the problem it does or does not show is said instead.
VALUE_LIMIT = 60


def _symptom_values(symptom: SymptomObservation) -> str:
    value = symptom.value
    if len(value) <= VALUE_LIMIT and not value.endswith("\u2026"):
        return f"{symptom.probe} = {value}"
    template = (_("%(probe)s (%(problem)s: the problem shows)") if symptom.present
                else _("%(probe)s (%(problem)s: the problem does not show)"))
    return str(template % {"probe": symptom.probe, "problem": symptom.problem})


# Statuses whose record is of a run of the current inputs (stale and missing say nothing).
_CURRENT = frozenset(status for status in Status if status not in (Status.STALE, Status.MISSING))


def need_on(status: Status, record: Record | None, version: Version) -> Need | None:
    """Only the issue's symptom, observed on the unchanged guest of this target in the run
    that made the record, says whether the workaround is needed there: still needed where the
    problem showed, not needed where it did not. No symptom stated (or observed), or a record
    that is not current: nothing is said."""
    if record is None or record.symptom is None or status not in _CURRENT:
        return None
    return Need(version, record.symptom.present, _symptom_values(record.symptom))


def compatibility_of(view: SnippetView, ledger: Ledger, versions: dict[str, Version],
                     order: Sequence[str]) -> Compatibility:
    by_target = {status.target: status for status in view.statuses}
    cells = []
    needs = []
    for target in order:
        status = by_target.get(target)
        if status is None or view.pending is not None:
            cells.append(Cell(versions[target], "not-verified", None))
            continue
        record = ledger.get(view.key, target)
        group = group_of(status.status)
        # Only the groups whose clause states a reason keep one (so targets that differ only
        # in a reason nobody reads share a clause).
        reason = ((record.reason or None) if record is not None and group.clause_with_reason
                  else None)
        cells.append(Cell(versions[target], group.name, reason))
        need = need_on(status.status, record, versions[target])
        if need is not None:
            needs.append(need)
    return Compatibility(view.key, tuple(cells), view.pending, tuple(needs))


def compute(env: BuildEnvironment) -> dict[str, Compatibility]:
    ledger = current_ledger_or_empty(env)
    order = ordered_targets(relnotes_config(env.config).targets)
    versions = target_versions(ledger, order)
    return {key: compatibility_of(view, ledger, versions, order)
            for key, view in sorted(views_by_snippet(env).items())}


def current_ledger_or_empty(env: BuildEnvironment) -> Ledger:
    # The verification module has already warned about an unreadable ledger in this build.
    try:
        return current_ledger(env.config)
    except ValueError:
        return Ledger()


# -- words ----------------------------------------------------------------------------------


def _runs(chosen: set[int]) -> list[list[int]]:
    """Contiguous runs of the chosen positions, in target order."""
    runs: list[list[int]] = []
    for index in sorted(chosen):
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def versions_text(versions: Sequence[Version], chosen: Iterable[int], *,
                  open_ended: bool = False) -> str:
    """E.g. "libvirt 9.0 to 11.3", "libvirt 7.0 and 12.9"; ``open_ended``: a run reaching
    the newest target reads "libvirt 9.0 and later"."""
    newest = len(versions) - 1
    parts = []
    for run in _runs(set(chosen)):
        first, last = versions[run[0]], versions[run[-1]]
        if open_ended and run[-1] == newest and len(versions) > 1:
            parts.append(str(_("%(first)s and later") % {"first": first.label}))
        elif len(run) == 1:
            parts.append(first.label)
        else:
            # "libvirt 9.0 to 11.3": the second version without repeating the name.
            end = last.libvirt if first.libvirt and last.libvirt else last.label
            parts.append(str(_("%(first)s to %(last)s") % {"first": first.label, "last": end}))
    if len(parts) == 1:
        return parts[0]
    return str(_("%(items)s and %(last)s") % {"items": ", ".join(parts[:-1]), "last": parts[-1]})


_GROUPS = {group.name: group for group in SUMMARY_GROUPS}


def _clause(name: str, has_reason: bool, everywhere: bool) -> str:
    """The clause's translated template, with %(versions)s and %(reason)s: the table's."""
    group = _GROUPS[name]
    if has_reason and everywhere and group.clause_everywhere:
        return str(_(group.clause_everywhere))
    if has_reason and group.clause_with_reason:
        return str(_(group.clause_with_reason))
    return str(_(group.clause))


def sentence(compatibility: Compatibility) -> str:
    """One sentence over every target: a clause per group (and reason), in SUMMARY_GROUPS
    order, each naming its versions as ranges."""
    if compatibility.pending is not None:
        return pending_text(compatibility.pending)
    cells = compatibility.cells
    versions = [cell.version for cell in cells]
    clauses: list[str] = []
    for group in SUMMARY_GROUPS:
        reasons: dict[str | None, list[int]] = {}
        for index, cell in enumerate(cells):
            if cell.group == group.name:
                reasons.setdefault(cell.reason, []).append(index)
        for reason, chosen in reasons.items():
            # Only "works" reaches past the newest target verified ("and later").
            where = versions_text(versions, chosen, open_ended=group.open_ended)
            template = _clause(group.name, reason is not None, len(chosen) == len(cells))
            if not clauses:
                # Clauses are written to follow one another: the first gets a capital, taken
                # from its template's own first word, never from a version or a reason.
                template = template[:1].upper() + template[1:]
            # A reason's own final full stop would come before the next clause's semicolon.
            clauses.append(template % {"versions": where,
                                       "reason": reason.rstrip(".") if reason else reason})
    return str(_("%(clauses)s.") % {"clauses": "; ".join(clauses).rstrip(".")})


def need_sentences(compatibility: Compatibility) -> list[str]:
    """One sentence per distinct answer, naming every target that gives it."""
    if not compatibility.needs:
        return []
    positions = {cell.version.target: index for index, cell in enumerate(compatibility.cells)}
    versions = [cell.version for cell in compatibility.cells]
    answers: dict[tuple[bool, str], list[int]] = {}
    for need in compatibility.needs:
        answers.setdefault((need.needed, need.values), []).append(positions[need.version.target])
    out = []
    for (needed, values), chosen in answers.items():
        # Never "and later": not needed on the newest stack says nothing of the next one.
        where = versions_text(versions, chosen)
        if needed:
            out.append(_("Still needed on %(versions)s: without it, %(values)s.")
                       % {"versions": where, "values": values})
        else:
            out.append(_("Not needed on %(versions)s: without it, %(values)s.")
                       % {"versions": where, "values": values})
    return [str(text) for text in out]


# -- HTML -----------------------------------------------------------------------------------

_SYMBOLS = {group.name: group.symbol for group in SUMMARY_GROUPS}
_LABELS = {group.name: group for group in SUMMARY_GROUPS}


def cell_html(cell: Cell, *, element: str = "span", with_version: bool = True) -> str:
    group = _LABELS[cell.group]
    version = (f'<span class="rn-compat-version">{html.escape(cell.version.label)}</span> '
               if with_version else "")
    return (f'<{element} class="rn-compat-cell rn-summary rn-summary-{group.name}" '
            f'data-target="{html.escape(cell.version.target)}">{version}'
            f'<span aria-hidden="true">{group.symbol}</span> {html.escape(group_label(group))}'
            f"</{element}>")


def row_html(compatibility: Compatibility) -> str:
    label = html.escape(_("Compatibility"))
    cells = "".join(f"<li>{cell_html(cell)}</li>" for cell in compatibility.cells)
    needs = "".join(f'<p class="rn-compat-need">{html.escape(text)}</p>'
                    for text in need_sentences(compatibility))
    return (f'<div class="rn-compat">'
            f'<ul class="rn-compat-row" aria-label="{label}">{cells}</ul>'
            f'<p class="rn-compat-sentence">{html.escape(sentence(compatibility))}</p>'
            f"{needs}</div>")


def matrix_html(app: Sphinx, docname: str, compatibilities: dict[str, Compatibility]) -> str:
    """Every issue's snippets, a row each, a column per target: a table per issue."""
    env = app.env
    domain = relnotes_domain(env)
    order = ordered_targets(relnotes_config(app.config).targets)
    versions = target_versions(current_ledger_or_empty(env), order)
    out = ['<div class="rn-compat-matrix">']
    headings = [str(_("Snippet"))] + [
        f"{target} ({versions[target].label})" if versions[target].libvirt else target
        for target in order]
    for issue in sorted(domain.all_issues(), key=lambda issue: issue.id):
        keys = dict.fromkeys(located.value for located in domain.data["snippets"].get(issue.docname, []))
        shown = [compatibilities[key] for key in keys if key in compatibilities]
        uri = app.builder.get_relative_uri(docname, issue.docname)
        out.append(f'<section class="rn-compat-issue" id="compat-{html.escape(issue.id)}">')
        out.append(f'<h2><a href="{html.escape(uri)}">{html.escape(issue.title)}</a></h2>')
        if not shown:
            out.append(f"<p>{html.escape(_('This issue has no workaround snippet.'))}</p>")
            out.append("</section>")
            continue
        out.append('<div class="rn-overview-scroll"><table class="rn-overview-table rn-compat-table">')
        out.append("<thead><tr>" + "".join(f'<th scope="col">{html.escape(h)}</th>'
                                           for h in headings) + "</tr></thead><tbody>")
        for compatibility in shown:
            anchor = f"{uri}#{snippet_anchor(compatibility.key)}"
            first = (f'<th scope="row"><a href="{html.escape(anchor)}"><code>'
                     f"{html.escape(compatibility.key)}</code></a>"
                     f'<p class="rn-compat-sentence">{html.escape(sentence(compatibility))}</p>'
                     + "".join(f'<p class="rn-compat-need">{html.escape(text)}</p>'
                               for text in need_sentences(compatibility)) + "</th>")
            cells = "".join(
                f'<td data-label="{html.escape(heading)}">'
                f"{cell_html(cell, with_version=False)}</td>"
                for heading, cell in zip(headings[1:], compatibility.cells, strict=True))
            out.append(f"<tr>{first}{cells}</tr>")
        out.append("</tbody></table></div></section>")
    out.append("</div>")
    return "\n".join(out)


# -- Sphinx ---------------------------------------------------------------------------------


class compatibility_matrix(nodes.General, nodes.Element):
    """Placeholder for the matrix, filled when the page is written."""


class CompatibilityMatrixDirective(SphinxDirective):
    """Lists every snippet on every target, grouped by issue."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        placeholder = compatibility_matrix()
        self.set_source_info(placeholder)
        self.env.metadata[self.env.docname][METADATA_KEY] = True
        return [placeholder]


def matrix_pages(env: BuildEnvironment) -> list[str]:
    return sorted(docname for docname, metadata in env.metadata.items()
                  if metadata.get(METADATA_KEY) and docname in env.all_docs)


def schedule_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose compatibility changed (versions, reasons, observations) although neither
    their source nor their badges did; the matrix pages whenever anything changed."""
    domain = relnotes_domain(env)
    current = compute(env)
    previous: dict[str, Compatibility] = domain.data.get("compatibility", {})
    domain.data["compatibility"] = current
    changed = {key for key in current.keys() | previous.keys()
               if current.get(key) != previous.get(key)}
    if not changed:
        return []
    pages = {docname for docname, uses in domain.data["snippets"].items()
             if any(located.value in changed for located in uses)}
    return sorted(pages | set(matrix_pages(env)))


def render(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    compatibilities: dict[str, Compatibility] = relnotes_domain(app.env).data.get(
        "compatibility", {})
    for placeholder in list(doctree.findall(compatibility_matrix)):
        placeholder.replace_self(nodes.raw("", matrix_html(app, docname, compatibilities),
                                           format="html"))
    # Above each snippet's badges (which replace this placeholder afterwards): the summary
    # first, then the dated badges and the folded details.
    for status in list(doctree.findall(snippet_status)):
        compatibility = compatibilities.get(status["key"])
        parent = status.parent
        if compatibility is None or parent is None:
            continue
        parent.insert(parent.index(status), nodes.raw("", row_html(compatibility), format="html"))


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_compatibility(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "compatibility-matrix", CompatibilityMatrixDirective)
    app.add_node(compatibility_matrix, html=(_skip, None), text=(_skip, None),
                 latex=(_skip, None))
    # After verification.py's env-updated handler (500), whose statuses it reads.
    app.connect("env-updated", schedule_rewrites, priority=610)
    # Before verification.py (400) replaces the snippet_status placeholders it follows.
    app.connect("doctree-resolved", render, priority=395)
