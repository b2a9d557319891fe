"""Compatibility per snippet: a cell per target (oldest first), one computed sentence, whether the
workaround is still needed there, and the site page listing every snippet on every version.

Everything comes from this build's statuses (``verification.views_by_snippet``: stale and
missing already derived) and from the ledger records' fields (``reason``, ``environment``,
``symptom``), never from prose. Statuses are grouped, and each group worded, by the results
table (``core.results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from docutils import nodes
from markupsafe import Markup, escape  # Jinja's own dependency
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from relnotes.core.ledger import Ledger, Record, Status
from relnotes.core.results import group_of
from relnotes.core.targets import TARGET_NAMES
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.overview import SUMMARY_GROUPS
from relnotes.sphinxext.verification import (
    SnippetView,
    current_ledger,
    pending_text,
    views_by_snippet,
)
from relnotes.sphinxext.versions import Version, target_versions

METADATA_KEY = "rn-compatibility-matrix"


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
    probe: str  # the record's symptom: its probe, the value on the unchanged guest, the problem
    value: str
    problem: str

    def values(self, foreign: str | None = None) -> str:
        """"probe = value on the unchanged guest"; a value too long to tell a reader anything
        is replaced by the problem it does or does not show. ``foreign``: see ``sentence``."""
        if len(self.value) <= VALUE_LIMIT and not self.value.endswith("\u2026"):
            return _inserted(f"{self.probe} = {self.value}", foreign)
        template = (_("%(probe)s (%(problem)s: the problem shows)") if self.needed
                    else _("%(probe)s (%(problem)s: the problem does not show)"))
        return _format(str(template), {"probe": _inserted(self.probe, foreign),
                                       "problem": _inserted(self.problem, foreign)}, foreign)


@dataclass(frozen=True)
class Mutation:
    """On one target, how many deliberately broken copies of the snippet its check caught
    (the record's ``mutation``, when the engine measured it)."""

    version: Version
    killed: int
    total: int
    equivalent: int  # declared to change nothing, with a reason
    survivors: tuple[str, ...]  # left the check green: that part is not shown to be needed

    @property
    def every_line_needed(self) -> bool:
        return not self.survivors and self.killed + self.equivalent >= self.total > 0


@dataclass(frozen=True)
class Symptom:
    """On one target, the issue's problem as the unchanged guest showed it in the same run
    (the record's ``symptom``, when the check declares how to observe it)."""

    version: Version
    probe: str
    problem: str
    value: str
    present: bool


@dataclass(frozen=True)
class Compatibility:
    key: str
    cells: tuple[Cell, ...]
    pending: str | None  # the spec is pending: no check exists on any target
    needs: tuple[Need, ...]
    # The snippet whose check verified this one, when it is another (a step of a procedure).
    check: str | None = None
    latest: date | None = None  # the newest current record's day
    mutations: tuple[Mutation, ...] = ()
    symptoms: tuple[Symptom, ...] = ()
    # Reasons the sentence does not say (why a result is stale, why an effect did not show),
    # for the evidence.
    unsaid: tuple[tuple[Version, str], ...] = ()


# -- computing ------------------------------------------------------------------------------


def ordered_targets(targets: Sequence[str]) -> list[str]:
    """The site's targets oldest first, as the catalogue lists them (unknown ones last)."""
    order = {name: index for index, name in enumerate(TARGET_NAMES)}
    return sorted(targets, key=lambda target: (order.get(target, len(order)), target))


# A symptom value longer than this (a QEMU command line, cut short by the engine) tells a
# reader nothing; the problem it does or does not show is said instead.
VALUE_LIMIT = 60


def _inserted(text: str, foreign: str | None) -> str:
    """Words of the records (a reason, a probe and its value, a problem) inserted into one of
    the extension's sentences: as they are in plain text (``foreign`` None); in HTML, escaped,
    and marked as being in the language ``foreign`` names, when it is not the page's (a
    translation shows the records' words in the source language: screen readers switch voice)."""
    if foreign is None:
        return text
    if foreign:
        return Markup('<span lang="{}">{}</span>').format(foreign, text)
    return escape(text)


def _format(template: str, values: dict[str, Any], foreign: str | None) -> str:
    """``template % values``; in HTML the template's own words are escaped, and so is each
    value that ``_inserted`` did not make HTML already."""
    if foreign is None:
        return template % values
    return escape(template) % values


# Statuses whose record is of a run of the current inputs (stale and missing say nothing).
_CURRENT = frozenset(status for status in Status if status not in (Status.STALE, Status.MISSING))


def need_on(status: Status, record: Record | None, version: Version) -> Need | None:
    """Only the issue's symptom, observed on the unchanged guest of this target in the run
    that made the record, says whether the workaround is needed there: still needed where the
    problem showed, not needed where it did not. No symptom stated (or observed), or a record
    that is not current: nothing is said."""
    if record is None or record.symptom is None or status not in _CURRENT:
        return None
    symptom = record.symptom
    return Need(version, symptom.present, str(symptom.probe), str(symptom.value),
                str(symptom.problem))


def compatibility_of(view: SnippetView, ledger: Ledger, versions: dict[str, Version],
                     order: Sequence[str]) -> Compatibility:
    by_target = {status.target: status for status in view.statuses}
    cells = []
    needs = []
    checks: set[str] = set()
    days: list[date] = []
    mutations: list[Mutation] = []
    symptoms: list[Symptom] = []
    unsaid: list[tuple[Version, str]] = []
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
        if not group.clause_with_reason and group.name != "not-verified" and status.reason:
            unsaid.append((versions[target], status.reason))
        need = need_on(status.status, record, versions[target])
        if need is not None:
            needs.append(need)
        if record is None or group.name in ("stale", "not-verified"):
            continue
        checks.add(record.check or view.key)
        days.append(record.verified_at.date())
        mutation, symptom = _mutation_of(record, versions[target]), _symptom_of(record, versions[target])
        mutations += [mutation] if mutation is not None else []
        symptoms += [symptom] if symptom is not None else []
    driver = next(iter(checks)) if len(checks) == 1 else None
    return Compatibility(view.key, tuple(cells), view.pending, tuple(needs),
                         check=driver if driver != view.key else None,
                         latest=max(days) if days else None,
                         mutations=tuple(mutations), symptoms=tuple(symptoms),
                         unsaid=tuple(unsaid))


def _mutation_of(record: Record, version: Version) -> Mutation | None:
    # Read by name: older ledgers (and records of checks without mutants) have none.
    score: Any = getattr(record, "mutation", None)
    if score is None:
        return None
    return Mutation(version, int(score.killed), int(score.total), len(score.equivalent),
                    tuple(str(survivor) for survivor in score.survivors))


def _symptom_of(record: Record, version: Version) -> Symptom | None:
    seen: Any = getattr(record, "symptom", None)
    if seen is None:
        return None
    return Symptom(version, str(seen.probe), str(seen.problem), str(seen.value), bool(seen.present))


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


def sentence(compatibility: Compatibility, foreign: str | None = None) -> str:
    """One sentence over every target: a clause per group (and reason), in SUMMARY_GROUPS
    order, each naming its versions as ranges.

    Plain text, or with ``foreign`` HTML: ``""`` on a page in the records' language, else the
    records' language, which every reason is then marked as (``_inserted``)."""
    if compatibility.pending is not None:
        text = pending_text(compatibility.pending)
        return text if foreign is None else str(escape(text))
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
            clauses.append(_format(template, {
                "versions": where,
                "reason": _inserted(reason.rstrip("."), foreign) if reason else reason}, foreign))
    joined = ("; " if foreign is None else Markup("; ")).join(clauses).rstrip(".")
    return str(_format(str(_("%(clauses)s.")), {"clauses": joined}, foreign))


def need_sentences(compatibility: Compatibility, foreign: str | None = None) -> list[str]:
    """One sentence per distinct answer, naming every target that gives it (``foreign``: see
    ``sentence``)."""
    if not compatibility.needs:
        return []
    positions = {cell.version.target: index for index, cell in enumerate(compatibility.cells)}
    versions = [cell.version for cell in compatibility.cells]
    answers: dict[tuple[bool, str], list[int]] = {}
    for need in compatibility.needs:
        answers.setdefault((need.needed, need.values(foreign)), []).append(
            positions[need.version.target])
    out = []
    for (needed, values), chosen in answers.items():
        # Never "and later": not needed on the newest stack says nothing of the next one.
        where = versions_text(versions, chosen)
        template = (_("Still needed on %(versions)s: without it, %(values)s.") if needed
                    else _("Not needed on %(versions)s: without it, %(values)s."))
        out.append(_format(str(template), {"versions": where, "values": values}, foreign))
    return [str(text) for text in out]


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
    # The snippets page shows every snippet's sentence too.
    return sorted(pages | set(matrix_pages(env)) | set(domain.data["snippet_tables"]))


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_compatibility(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "compatibility-matrix", CompatibilityMatrixDirective)
    app.add_node(compatibility_matrix, html=(_skip, None), text=(_skip, None),
                 latex=(_skip, None))
    # After verification.py's env-updated handler (500), whose statuses it reads.
    app.connect("env-updated", schedule_rewrites, priority=610)
