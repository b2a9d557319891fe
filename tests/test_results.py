"""One meaning for every result: the table itself, and property tests (Hypothesis) proving that
the parts reading it agree: the publish gate, the overview and the badges, drift, JUnit and
merge."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import reduce
from types import SimpleNamespace

from docutils import nodes
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from relnotes.core import results
from relnotes.core.environment import Environment
from relnotes.core.ledger import RECORDED, Layer, LayerStatus, Ledger, Record, SnippetStatus, Status
from relnotes.core.results import (
    GROUPS,
    TABLE,
    DriftRule,
    JUnitOutcome,
    group_of,
    is_green,
    is_publishable,
    meaning,
)
from relnotes.engine.drift import compare
from relnotes.engine.junit import junit_xml
from relnotes.engine.reuse import ImageIdentity, reuse_without_daemon
from relnotes.sphinxext.domain import Located
from relnotes.sphinxext.overview import issue_summaries
from relnotes.sphinxext.publish_gate import refusals
from relnotes.sphinxext.verification import SnippetView, _evidence

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TARGETS = ("bookworm", "trixie")
SNIPPETS = ("kvm/a.xml", "kvm/b.sh", "net/c.xml")
ENVS = {target: Environment(target, "9.0.0", "7.2.0", "kvm", "img") for target in TARGETS}


# -- the table ------------------------------------------------------------------------------


def test_every_status_has_exactly_one_row() -> None:
    assert sorted(row.status.value for row in TABLE) == sorted(s.value for s in Status)
    assert all(meaning(status).status is status for status in Status)


def test_every_group_a_row_names_is_listed_once_and_every_listed_group_is_used() -> None:
    assert len({group.name for group in GROUPS}) == len(GROUPS)
    assert {row.group for row in TABLE} == set(GROUPS)


def test_the_columns_agree_with_green() -> None:
    for row in TABLE:
        assert row.publishable is row.green, row.status
        assert (row.junit is JUnitOutcome.FAILURE) is (not row.green), row.status
        assert (row.drift is DriftRule.NEVER) is row.green, row.status


def test_what_a_run_records_is_what_the_table_calls_recorded() -> None:
    assert {row.status for row in TABLE if row.recorded} == set(RECORDED)


def test_only_a_failure_is_run_again_when_nothing_changed_and_nothing_derived_is_reused() -> None:
    assert {row.status for row in TABLE if row.recorded and row.rerun_when_unchanged} == {
        Status.FAILED}
    assert all(row.rerun_when_unchanged for row in TABLE if not row.recorded)


def test_the_new_states_are_neither_green_nor_publishable() -> None:
    for status in (Status.BASELINE_CHANGED, Status.MUTANT_SURVIVED, Status.CONFLICTING):
        assert not is_green(status) and not is_publishable(status)
        assert meaning(status).drift is DriftRule.FROM_GREEN


# -- generated ledgers ----------------------------------------------------------------------


@st.composite
def records(draw: st.DrawFn) -> Record:
    snippet = draw(st.sampled_from(SNIPPETS))
    target = draw(st.sampled_from(TARGETS))
    result = draw(st.sampled_from(RECORDED))
    return Record(
        snippet=snippet, sha256=draw(st.sampled_from(("s1", "s2"))),
        inputs_sha256=draw(st.sampled_from(("i1", "i2"))), result=result,
        reason=None if result is Status.PASSED else f"{result.value} because",
        layers={"effect": Layer(LayerStatus.PASSED, "seen")}, environment=ENVS[target],
        verified_at=T0 + timedelta(minutes=draw(st.integers(0, 4))), duration=1.0,
        run_sequence=draw(st.integers(0, 3)), run_id=draw(st.sampled_from(("r1", "r2", "r3"))),
        machine=draw(st.sampled_from(("", "m1", "m2"))),
    )


def ledger_of(items: list[Record]) -> Ledger:
    ledger = Ledger()
    for item in items:
        ledger.add(item)
    return ledger


ledgers = st.lists(records(), max_size=12).map(ledger_of)
#: The tree: each snippet's current bytes (a snippet the tree lacks is never verified).
trees = st.fixed_dictionaries({key: st.sampled_from(("s1", "s2")) for key in SNIPPETS})


def views_of(ledger: Ledger, tree: dict[str, str]) -> dict[str, SnippetView]:
    return {key: SnippetView(key, digest, tuple(ledger.status(key, digest, target)
                                                for target in TARGETS), ())
            for key, digest in tree.items()}


# -- the gate -------------------------------------------------------------------------------


@given(ledgers, trees, st.lists(st.sampled_from(SNIPPETS), max_size=5))
def test_the_gate_refuses_exactly_when_some_shown_snippet_is_not_green(
        ledger: Ledger, tree: dict[str, str], shown: list[str]) -> None:
    views = views_of(ledger, tree)
    uses = {"issues/x": [Located(key, line) for line, key in enumerate(shown, start=1)]}
    refused = refusals(uses, views)
    not_green = [(key, status.target) for key in shown for status in views[key].statuses
                 if not is_green(status.status)]
    assert bool(refused) == bool(not_green)
    assert sorted((r.key, r.status.target) for r in refused if r.status) == sorted(not_green)


# -- the overview and the badges ------------------------------------------------------------


def badge_statuses(view: SnippetView) -> list[tuple[str, Status]]:
    """(target, status) of each badge the page shows for ``view``, read from the nodes."""
    groups = {status.target: group_of(status.status).name for status in view.statuses}
    [details, *_rest] = _evidence(view, {}, "", groups)
    found = []
    for index, node in enumerate(n for n in details.findall(nodes.inline)
                                 if "rn-badge" in n["classes"]):
        [css] = [c for c in node["classes"] if c.startswith("rn-badge-")]
        found.append((TARGETS[index], Status(css.removeprefix("rn-badge-"))))
    return found


@given(ledgers, trees)
def test_the_overviews_counts_equal_the_badges_on_the_pages(
        ledger: Ledger, tree: dict[str, str]) -> None:
    views = list(views_of(ledger, tree).values())
    summaries = dict(issue_summaries(None, TARGETS, views))  # type: ignore[arg-type]
    badges = Counter((target, group_of(status).name)
                     for view in views for target, status in badge_statuses(view))
    counted = Counter({(target, name): count for target, summary in summaries.items()
                       for name, count in summary})
    assert counted == badges


# -- drift ----------------------------------------------------------------------------------


@given(ledgers, ledgers, trees)
def test_drift_needs_attention_exactly_when_a_green_cell_is_no_longer_green_or_went_stale_or_missing(
        old: Ledger, new: Ledger, tree: dict[str, str]) -> None:
    report = compare(old, new, current=tree)
    expected = set()
    for snippet, target in {*old.records, *new.records}:
        before = old.status(snippet, tree[snippet], target).status
        after = new.status(snippet, tree[snippet], target).status
        if before is after:
            continue
        if (is_green(before) and not is_green(after)) or after in (Status.STALE, Status.MISSING):
            expected.add((snippet, target))
    assert {(c.snippet, c.target) for c in report.changes if c.needs_attention} == expected
    assert report.needs_attention is bool(expected)


# -- JUnit ----------------------------------------------------------------------------------


@given(st.lists(records(), max_size=12))
def test_junits_failures_are_exactly_the_records_that_are_not_green(items: list[Record]) -> None:
    ledger = ledger_of(items)
    shown = list(ledger.records.values())
    suites = etree.fromstring(junit_xml(shown))
    failing = {(suite.get("name"), f"{case.get('classname')}/{case.get('name')}".replace(".", "/"))
               for suite in suites for case in suite.findall("testcase")
               if case.find("failure") is not None}
    expected = {(r.target, r.snippet.replace(".", "/")) for r in shown if not is_green(r.result)}
    assert failing == expected
    total = sum(int(suite.get("failures", "0")) for suite in suites)
    assert total == len(expected)


# -- reuse ----------------------------------------------------------------------------------


@contextmanager
def rerun_column(rerun: frozenset[Status]) -> Iterator[None]:
    """The table with another re-run column: each part that reuses must follow it."""
    original = dict(results._BY_STATUS)
    results._BY_STATUS.update({status: replace(row, rerun_when_unchanged=status in rerun)
                               for status, row in original.items()})
    try:
        yield
    finally:
        results._BY_STATUS.clear()
        results._BY_STATUS.update(original)


def reused(ledger: Ledger, record: Record) -> tuple[bool, bool]:
    """Whether the run reuses ``record`` with nothing changed: ``Ledger.can_reuse``, and a
    no-change re-run that starts no daemon (``reuse_without_daemon``)."""
    check = SimpleNamespace(members=[SimpleNamespace(snippet=record.snippet)],
                            inputs_sha256=lambda target: record.inputs_sha256)
    identity = ImageIdentity(record.environment.image_id, record.environment.accelerator)
    return (ledger.can_reuse(record, record.inputs_sha256, record.environment),
            reuse_without_daemon([check], ledger, record.target, identity) is not None)  # type: ignore[list-item]


@given(records())
def test_reuse_with_nothing_changed_is_what_the_tables_rerun_column_says(record: Record) -> None:
    expected = not meaning(record.result).rerun_when_unchanged
    assert reused(ledger_of([record]), record) == (expected, expected)


@given(records(), st.frozensets(st.sampled_from(RECORDED)))
def test_every_part_that_reuses_reads_the_rerun_column(record: Record,
                                                       rerun: frozenset[Status]) -> None:
    """Whatever the column says (a part with its own list of what to re-run goes red)."""
    with rerun_column(rerun):
        expected = record.result not in rerun
        assert reused(ledger_of([record]), record) == (expected, expected)


@given(st.lists(records(), min_size=2, max_size=6))
def test_a_result_another_machine_disagrees_with_is_never_reused(items: list[Record]) -> None:
    ledger = ledger_of(items)
    for record in ledger.records.values():
        current = ledger.current(record.snippet, record.target)
        if len({item.result for item in current}) > 1:
            assert not ledger.can_reuse(record, record.inputs_sha256, record.environment)


# -- merge ----------------------------------------------------------------------------------


@given(ledgers, ledgers)
def test_merge_is_commutative(a: Ledger, b: Ledger) -> None:
    assert a.merge(b).to_json() == b.merge(a).to_json()


@given(ledgers, ledgers, ledgers)
def test_merge_is_associative(a: Ledger, b: Ledger, c: Ledger) -> None:
    assert a.merge(b).merge(c).to_json() == a.merge(b.merge(c)).to_json()


@given(st.lists(ledgers, min_size=1, max_size=4), trees)
def test_merge_never_turns_a_result_that_is_not_green_green(parts: list[Ledger],
                                                            tree: dict[str, str]) -> None:
    """A merged green cell: every record of the current inputs that is not green was replaced
    by a later run on its own machine (the only way a result may change on merge)."""
    merged = reduce(Ledger.merge, parts)
    everything = [record for part in parts for record in part.all_records()]
    for snippet, target in merged.records:
        status = merged.status(snippet, tree[snippet], target)
        if not is_green(status.status):
            continue
        current = {id(r) for r in merged.current(snippet, target, tree[snippet])}
        for record in everything:
            if (record.snippet, record.target) != (snippet, target) or is_green(record.result):
                continue
            if id(record) in current:
                raise AssertionError(f"{record.result.value} record kept, yet {status.status}")
            same_inputs = record.sha256 == tree[snippet] and any(
                r.inputs_sha256 == record.inputs_sha256 for r in merged.current(
                    snippet, target, tree[snippet]))
            if same_inputs:
                replaced = merged.standing[(snippet, target)].get(
                    f"machine {record.machine}" if record.machine else f"run {record.run_id}")
                assert replaced is not None and (replaced.verified_at, replaced.run_sequence,
                                                 replaced.run_id) >= (
                    record.verified_at, record.run_sequence, record.run_id)


@given(ledgers)
def test_a_ledger_merged_with_itself_is_unchanged(a: Ledger) -> None:
    assert a.merge(a).to_json() == a.to_json()


def test_a_conflict_is_shown_with_both_records() -> None:
    passed = Record("kvm/a.xml", "s1", "i1", Status.PASSED, None, {}, ENVS["bookworm"], T0, 1.0,
                    run_id="a", machine="m1")
    failed = Record("kvm/a.xml", "s1", "i1", Status.FAILED, "boom", {}, ENVS["bookworm"],
                    T0 - timedelta(days=60), 1.0, run_id="b", machine="m2")
    status: SnippetStatus = ledger_of([passed, failed]).status("kvm/a.xml", "s1", "bookworm")
    assert status.status is Status.CONFLICTING
    assert status.reason == (
        "runs of the same inputs disagree: failed on machine m2 (libvirt 9.0.0 / QEMU 7.2.0 "
        "(KVM), run b, 2026-09-02 00:00 UTC); passed on machine m1 (libvirt 9.0.0 / QEMU 7.2.0 "
        "(KVM), run a, 2026-11-01 00:00 UTC)")


@given(ledgers, trees)
def test_issues_json_says_green_exactly_where_the_gate_publishes(
        ledger: Ledger, tree: dict[str, str]) -> None:
    from relnotes.sphinxext.verification import snippet_record

    for key, view in views_of(ledger, tree).items():
        shown = snippet_record(view, None)["status"]
        refused = {r.status.target for r in refusals({"p": [Located(key, 1)]}, {key: view})
                   if r.status}
        assert {target for target, cell in shown.items() if not cell["green"]} == refused
        assert all(cell["group"] == group_of(Status(cell["status"])).name
                   for cell in shown.values())


def test_every_group_and_every_state_has_its_colours_in_light_and_dark() -> None:
    from pathlib import Path

    css = (Path(__file__).parent.parent / "_ext/relnotes/sphinxext/static/relnotes.css"
           ).read_text(encoding="utf-8")
    # Each class takes its family's colours; each family's colours are set three times: light,
    # dark, and dark by preference.
    for name in [f"rn-summary-{group.name}" for group in GROUPS] + [
            f"rn-badge-{status.value}" for status in Status]:
        rule = re.search(rf"\.{name}(?![\w-])[^{{]*\{{([^}}]*)\}}", css)
        assert rule is not None, name
        families = set(re.findall(r"var\(--rn-([a-z]+)", rule.group(1)))
        assert len(families) == 1, (name, families)
        [family] = families
        for variable in (f"--rn-{family}:", f"--rn-{family}-line:", f"--rn-{family}-text:"):
            assert css.count(variable) == 3, (name, variable)
