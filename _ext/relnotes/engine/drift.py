"""Drift between two verification runs: what stopped being green, went stale or missing.

Compares an earlier ledger (usually the published one) with a new one, per (snippet,
target), and says what changed in words a CI job can show (text, Markdown, JUnit). Each side's
state is the ledger's own reading (``Ledger.status``: stale judged by the snippet's bytes and,
when known, every input of its check, as the site judges it); whether a change needs attention
is the table's (``core.results.drift_needs_attention``): a green cell that is no longer green,
or a result that went stale or missing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from lxml import etree

from relnotes.core.ledger import Ledger, Record, SnippetStatus, Status
from relnotes.core.results import drift_needs_attention, is_green
from relnotes.engine.junit import xml_text

#: The current inputs of a snippet's check on a target, when the tree says (else None).
CurrentInputs = Callable[[str, str], Mapping[str, str] | None]


class Drift(enum.Enum):
    """How one (snippet, target) changed; the value is the heading shown for it."""

    # In the order they are shown: what needs attention first.
    FAILING = "became failing"
    NOT_SHOWN = "no longer shown to work"
    STALE = "became stale"
    GONE = "no longer verified"
    PASSING = "became passing"
    # the same result, but the symptom is now absent without the workaround
    NOT_NEEDED = "not needed any more"
    CHANGED = "changed result"
    NEW = "newly verified"


@dataclass(frozen=True)
class Change:
    snippet: str
    target: str
    drift: Drift
    before: str  # a Status value
    after: str
    detail: str  # the new reason, or the environments when only those differ

    @property
    def needs_attention(self) -> bool:
        """The table's answer: the published claim is wrong until someone acts on it."""
        return drift_needs_attention(Status(self.before), Status(self.after))


@dataclass(frozen=True)
class Report:
    changes: tuple[Change, ...]
    compared: int  # (snippet, target) pairs looked at
    targets: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return any(change.needs_attention for change in self.changes)

    def of(self, drift: Drift) -> list[Change]:
        return [change for change in self.changes if change.drift is drift]

    def summary(self) -> str:
        counts = [f"{len(self.of(d))} {d.value}" for d in Drift if self.of(d)]
        attention = sum(change.needs_attention for change in self.changes)
        return (f"{self.compared} results compared on {', '.join(self.targets) or 'no target'}: "
                + (", ".join(counts) if counts else "no drift")
                + (f"; {attention} need(s) attention" if attention else ""))


def not_needed(record: Record) -> bool:
    """The issue's symptom was absent on the unchanged guest of the run that made the record.

    Only the symptom the spec states, observed in that run, decides it: a control that does
    not hold is a changed baseline, never "not needed"; no symptom stated, never. Only words
    for the detail line: whether a change needs attention is the results table's.
    """
    return record.symptom is not None and not record.symptom.present


def state(ledger: Ledger, snippet: str, target: str, current: Mapping[str, str] | None,
          inputs: CurrentInputs | None = None) -> SnippetStatus:
    """The (snippet, target)'s state in a ledger, judged as the site judges it: against the
    snippet's current bytes and, when ``inputs`` knows them, its check's current inputs."""
    record = ledger.get(snippet, target)
    sha = current.get(snippet) if current is not None else None
    now = inputs(snippet, target) if inputs is not None and sha is not None else None
    if sha is None and record is not None:  # deleted since, or no tree: its records alone
        sha = record.sha256
    return ledger.status(snippet, sha or "", target, now)


def _classify(before: Status, after: Status) -> Drift | None:
    if before is after:
        return None
    if after is Status.MISSING:
        return Drift.GONE
    if after is Status.STALE:
        return Drift.STALE
    if before is Status.MISSING:
        return Drift.NEW
    if is_green(after) and not is_green(before):
        return Drift.PASSING
    if is_green(before) and not is_green(after):
        return Drift.FAILING if after is Status.FAILED else Drift.NOT_SHOWN
    return Drift.CHANGED


def _newly_not_needed(old: Record | None, new: Record | None) -> bool:
    return new is not None and not_needed(new) and (old is None or not not_needed(old))


def compare(old: Ledger, new: Ledger, *, current: Mapping[str, str] | None = None,
            targets: Collection[str] | None = None,
            inputs: CurrentInputs | None = None) -> Report:
    """Every (snippet, target) of either ledger, restricted to ``targets`` when given.

    ``current`` maps snippet keys to the sha256 of their bytes now, ``inputs`` gives the
    current inputs of a snippet's check on a target; a snippet ``current`` does not name
    (deleted since) is judged on its records alone.
    """
    keys = sorted({*old.records, *new.records})
    if targets is not None:
        keys = [key for key in keys if key[1] in targets]
    changes = []
    for snippet, target in keys:
        before = state(old, snippet, target, current, inputs).status
        after = state(new, snippet, target, current, inputs)
        drift = _classify(before, after.status)
        if drift is None and before is after.status and _newly_not_needed(
                old.get(snippet, target), new.get(snippet, target)):
            drift = Drift.NOT_NEEDED  # words only: the result, hence its meaning, is the same
        if drift is None:
            continue
        changes.append(Change(snippet, target, drift, before.value, after.status.value,
                              _detail(old.get(snippet, target), new.get(snippet, target),
                                      after)))
    order = list(Drift)
    changes.sort(key=lambda c: (not c.needs_attention, order.index(c.drift), c.target,
                                c.snippet))
    return Report(tuple(changes), len(keys), tuple(sorted({t for _, t in keys})))


def _detail(old: Record | None, new: Record | None, after: SnippetStatus) -> str:
    if new is None:
        return "the new run has no result for it"
    if after.status in (Status.STALE, Status.CONFLICTING):
        return after.reason or after.status.value
    if not_needed(new):
        assert new.symptom is not None
        return (f"not needed: the issue's symptom is absent on the unchanged guest: "
                f"{new.symptom.probe} = {new.symptom.value} (the problem: "
                f"{new.symptom.problem})")
    where = new.environment.label
    if old is not None and old.environment.label != where:
        where = f"{old.environment.label} -> {where}"
    return f"{where}" + (f": {_first_line(new.reason)}" if new.reason else "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def text_report(report: Report) -> str:
    lines = [report.summary()]
    for drift in Drift:
        changes = report.of(drift)
        if changes:
            lines.append(f"{drift.value} ({len(changes)}):")
            lines.extend(f"  {c.target}: {c.snippet}: {c.before} -> {c.after}; {c.detail}"
                         for c in changes)
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Markdown table cell text: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown_report(report: Report) -> str:
    """A summary for a CI job page (GitHub's job summary renders it)."""
    lines = ["## Verification drift", "", report.summary(), ""]
    for drift in Drift:
        changes = report.of(drift)
        if not changes:
            continue
        lines += [f"### {drift.value.capitalize()} ({len(changes)})", "",
                  "| target | snippet | before | after | detail |", "|---|---|---|---|---|"]
        lines += [f"| {c.target} | `{c.snippet}` | {c.before} | {c.after} | {_cell(c.detail)} |"
                  for c in changes]
        lines.append("")
    return "\n".join(lines)


def junit_report(report: Report) -> bytes:
    """One test case per change; drift that needs attention is a failure."""
    suite = etree.Element("testsuite", name="relnotes verification drift",
                          tests=str(len(report.changes)),
                          failures=str(sum(c.needs_attention for c in report.changes)),
                          errors="0", skipped="0")
    for change in report.changes:
        case = etree.SubElement(suite, "testcase", classname=change.target,
                                name=f"{change.snippet}: {change.drift.value}")
        if change.needs_attention:
            etree.SubElement(case, "failure", message=xml_text(
                f"{change.before} -> {change.after}")).text = xml_text(change.detail)
    return etree.tostring(suite, xml_declaration=True, encoding="utf-8", pretty_print=True)

