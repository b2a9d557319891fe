"""Drift between two verification runs: what became failing, passing, not needed or stale.

Compares an earlier ledger (usually the published one) with a new one, per (snippet,
target), and says what changed in words a CI job can show (text, Markdown, JUnit). Only
observations recorded in the ledgers count: a result, its layers and the snippet's bytes.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from lxml import etree

from relnotes.core.ledger import Ledger, Record, Status
from relnotes.engine.junit import xml_text


class Drift(enum.Enum):
    """How one (snippet, target) changed; the value is the heading shown for it."""

    # In the order they are shown: what needs attention first.
    FAILING = "became failing"
    STALE = "became stale"
    GONE = "no longer verified"
    NOT_NEEDED = "not needed any more"
    PASSING = "became passing"
    CHANGED = "changed result"
    NEW = "newly verified"

    @property
    def needs_attention(self) -> bool:
        """Drift that makes the published claims wrong until someone acts on it."""
        return self in (Drift.FAILING, Drift.STALE, Drift.GONE)


@dataclass(frozen=True)
class Change:
    snippet: str
    target: str
    drift: Drift
    before: str  # a Status value, "not-needed" or "missing"
    after: str
    detail: str  # the new reason, or the environments when only those differ


@dataclass(frozen=True)
class Report:
    changes: tuple[Change, ...]
    compared: int  # (snippet, target) pairs looked at
    targets: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return any(change.drift.needs_attention for change in self.changes)

    def of(self, drift: Drift) -> list[Change]:
        return [change for change in self.changes if change.drift is drift]

    def summary(self) -> str:
        counts = [f"{len(self.of(d))} {d.value}" for d in Drift if self.of(d)]
        return (f"{self.compared} results compared on {', '.join(self.targets) or 'no target'}: "
                + (", ".join(counts) if counts else "no drift"))


def not_needed(record: Record) -> bool:
    """The issue's symptom was absent on the unchanged guest of the run that made the record.

    Only the symptom the spec states, observed in that run, decides it: a control that does
    not hold is a changed baseline, never "not needed"; no symptom stated, never.
    """
    return record.symptom is not None and not record.symptom.present


def state(ledger: Ledger, snippet: str, target: str, current: Mapping[str, str] | None) -> str:
    """One word for a (snippet, target) in a ledger, judged against the current bytes."""
    record = ledger.get(snippet, target)
    if record is None:
        return Status.MISSING.value
    if current is not None and snippet in current and current[snippet] != record.sha256:
        return Status.STALE.value
    if not_needed(record):
        return "not-needed"
    return record.result.value


def _classify(before: str, after: str) -> Drift | None:
    if before == after:
        return None
    if before == Status.MISSING.value:
        return Drift.FAILING if after == Status.FAILED.value else Drift.NEW
    for word, drift in ((Status.MISSING.value, Drift.GONE), (Status.STALE.value, Drift.STALE),
                        ("not-needed", Drift.NOT_NEEDED), (Status.FAILED.value, Drift.FAILING),
                        (Status.PASSED.value, Drift.PASSING)):
        if after == word:
            return drift
    return Drift.CHANGED


def compare(old: Ledger, new: Ledger, *, current: Mapping[str, str] | None = None,
            targets: Collection[str] | None = None) -> Report:
    """Every (snippet, target) of either ledger, restricted to ``targets`` when given.

    ``current`` maps snippet keys to the sha256 of their bytes now; a snippet it does not
    name (deleted since) is judged on its records alone.
    """
    keys = sorted({*old.records, *new.records})
    if targets is not None:
        keys = [key for key in keys if key[1] in targets]
    changes = []
    for snippet, target in keys:
        before = state(old, snippet, target, current)
        after = state(new, snippet, target, current)
        drift = _classify(before, after)
        if drift is None:
            continue
        changes.append(Change(snippet, target, drift, before, after,
                              _detail(old.get(snippet, target), new.get(snippet, target), after)))
    order = list(Drift)
    changes.sort(key=lambda c: (order.index(c.drift), c.target, c.snippet))
    return Report(tuple(changes), len(keys), tuple(sorted({t for _, t in keys})))


def _detail(old: Record | None, new: Record | None, after: str) -> str:
    if new is None:
        return "the new run has no result for it"
    if after == "not-needed":
        assert new.symptom is not None
        return (f"the issue's symptom is absent on the unchanged guest: {new.symptom.probe} = "
                f"{new.symptom.value} (the problem: {new.symptom.problem})")
    if after == Status.STALE.value:
        return "the snippet changed since it was verified"
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
                          failures=str(sum(c.drift.needs_attention for c in report.changes)),
                          errors="0", skipped="0")
    for change in report.changes:
        case = etree.SubElement(suite, "testcase", classname=change.target,
                                name=f"{change.snippet}: {change.drift.value}")
        if change.drift.needs_attention:
            etree.SubElement(case, "failure", message=xml_text(
                f"{change.before} -> {change.after}")).text = xml_text(change.detail)
    return etree.tostring(suite, xml_declaration=True, encoding="utf-8", pretty_print=True)

