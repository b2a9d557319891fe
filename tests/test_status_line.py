"""The reader's line of status under each snippet, its evidence, and the answer per version:
words from the compatibility (and the records' mutation and symptom fields, when present)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from types import SimpleNamespace

from bs4 import BeautifulSoup
from relnotes.core.environment import Environment
from relnotes.core.ledger import Layer, LayerStatus, Record, Status
from relnotes.sphinxext.compatibility import (
    Cell,
    Compatibility,
    Mutation,
    Symptom,
    _mutation_of,
    _symptom_of,
)
from relnotes.sphinxext.status_line import (
    evidence_head_html,
    leading_group,
    mutation_text,
    status_line_html,
)
from relnotes.sphinxext.versions import Version, target_versions

V = [Version("bullseye", "7.0", "5.2"), Version("bookworm", "9.0", "7.2"),
     Version("trixie", "11.3", "10.0"), Version("trixie-backports", "12.9", "11.1")]
WRAPPER = "libvirt probes the emulator without -cpu; the wrapper adds one and QEMU refuses it"


def compat(groups: list[str], reasons: list[str | None] | None = None, **fields: object) -> Compatibility:
    reasons = reasons or [None] * len(groups)
    cells = tuple(Cell(v, g, r) for v, g, r in zip(V, groups, reasons, strict=True))
    return dataclasses.replace(Compatibility("kvm/x/fix.xml", cells, None, ()), **fields)  # type: ignore[arg-type]


def text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text()


def test_the_line_says_where_it_works_that_every_line_is_needed_and_the_day() -> None:
    every = tuple(Mutation(v, 4, 5, 1, ()) for v in V)
    line = status_line_html(compat(["verified"] * 4, latest=date(2026, 12, 2), mutations=every), "en")
    assert text(line) == "✓ Works on libvirt 7.0 and later. · every line needed · Dec 2, 2026"
    soup = BeautifulSoup(line, "html.parser")
    assert soup.select_one("time")["datetime"] == "2026-12-02"
    # The symbol is decoration: the words carry the meaning.
    assert soup.select_one("span.rn-summary-verified")["aria-hidden"] == "true"


def test_a_surviving_mutant_is_said_on_the_line() -> None:
    mutations = (Mutation(V[1], 3, 4, 0, ("without the <model> line",)),
                 Mutation(V[2], 4, 4, 0, ()))
    item = compat(["verified"] * 4, mutations=mutations)
    assert mutation_text(item) == "not every line shown to be needed"
    assert "not every line shown to be needed" in text(status_line_html(item, "en"))


def test_no_mutation_score_says_nothing_about_lines() -> None:
    item = compat(["verified"] * 4)
    assert mutation_text(item) is None
    assert "line" not in text(status_line_html(item, "en"))


def test_a_step_of_another_snippets_check_leaves_the_reason_to_that_snippet() -> None:
    step = compat(["known-failure"] * 4, [WRAPPER] * 4, check="kvm/x/edit-guest.virsh")
    line = status_line_html(step, "en", check_uri="#snippet-kvm-x-edit-guest-virsh")
    assert WRAPPER not in line
    assert text(line) == "! Known to fail on libvirt 7.0 to 12.9, as a step of edit-guest.virsh"
    assert BeautifulSoup(line, "html.parser").select_one("a")["href"] == "#snippet-kvm-x-edit-guest-virsh"
    # The snippet whose check it is says the reason, once.
    driver = compat(["known-failure"] * 4, [WRAPPER] * 4)
    assert text(status_line_html(driver, "en")).count(WRAPPER) == 1


def test_reasons_worded_per_version_go_to_the_evidence_and_the_line_says_where() -> None:
    item = compat(["known-failure"] * 4, [f"{WRAPPER} on {v.label}" for v in V])
    line = text(status_line_html(item, "en"))
    assert line == "! Known to fail on libvirt 7.0 to 12.9 (why: in the evidence below)"
    head = text(evidence_head_html(item))
    assert all(f"{WRAPPER} on {v.label}" in head for v in V)


def test_the_lines_symbol_is_the_best_group_present() -> None:
    assert leading_group(compat(["known-failure", "verified", "stale", "verified"])) == "verified"
    assert leading_group(compat(["stale", "not-verified", "fails", "stale"])) == "fails"


def test_the_line_is_japanese_with_a_japanese_date() -> None:
    # The words come from the catalog in a build; the date from Babel, in the language.
    line = status_line_html(compat(["verified"] * 4, latest=date(2026, 12, 2)), "ja")
    assert "2026年12月2日" in text(line)


def record(**extra: object) -> Record:
    env = Environment("bookworm", "9.0.0", "7.2.19", "kvm", "sha256:2222")
    return Record("k", "s", "i", Status.PASSED, None, {"run": Layer(LayerStatus.PASSED)}, env,
                  datetime(2026, 12, 2, tzinfo=UTC), 1.0)


def test_the_records_mutation_and_symptom_fields_are_read_when_present() -> None:
    # A record as the engine writes it once it measures mutants and the symptom: the fields
    # of the agreed interface (MutationScore, SymptomObservation), here on a stand-in.
    ledger_record = SimpleNamespace(
        mutation=SimpleNamespace(killed=3, total=4, equivalent=(("drop a blank", "no effect"),),
                                 survivors=()),
        symptom=SimpleNamespace(probe="nic-models", problem="lacks 'e1000'",
                                value="['rtl8139']", present=True))
    assert _mutation_of(ledger_record, V[1]) == Mutation(V[1], 3, 4, 1, ())  # type: ignore[arg-type]
    assert _mutation_of(ledger_record, V[1]).every_line_needed  # type: ignore[arg-type, union-attr]
    assert _symptom_of(ledger_record, V[1]) == Symptom(  # type: ignore[arg-type]
        V[1], "nic-models", "lacks 'e1000'", "['rtl8139']", True)
    # An older record has neither: nothing is said.
    assert _mutation_of(record(), V[1]) is None and _symptom_of(record(), V[1]) is None


def test_versions_are_named_by_libvirt_and_qemu_with_the_codename_in_a_tooltip() -> None:
    from relnotes.core.ledger import Ledger

    ledger = Ledger()
    ledger.add(record())
    versions = target_versions(ledger, ["bookworm", "trixie"])
    assert versions["bookworm"].full_label == "libvirt 9.0 / QEMU 7.2"
    assert versions["trixie"].full_label == "libvirt 11 / QEMU 10"  # from the catalogue
    span = BeautifulSoup(versions["bookworm"].html(), "html.parser").span
    assert (span.get_text(), span["title"]) == ("libvirt 9.0 / QEMU 7.2", "Debian bookworm")
    assert versions["bookworm"].slug == "9.0"


def test_a_table_row_leaves_a_steps_reason_and_per_version_reasons_to_the_issue_page() -> None:
    from relnotes.sphinxext.status_line import table_sentence

    step = compat(["known-failure"] * 4, [WRAPPER] * 4, check="kvm/x/edit-guest.virsh")
    assert table_sentence(step) == "Known to fail on libvirt 7.0 to 12.9, as a step of edit-guest.virsh"
    worded = compat(["known-failure"] * 4, [f"{WRAPPER} on {v.label}" for v in V])
    assert table_sentence(worded) == (
        "Known to fail on libvirt 7.0 to 12.9 (why: under the snippet on its page)")
    one = compat(["known-failure", "verified", "verified", "verified"], [WRAPPER, None, None, None])
    assert table_sentence(one) == f"Works on libvirt 9.0 and later; known to fail on libvirt 7.0: {WRAPPER}."


def test_a_steps_evidence_leaves_the_why_to_its_checks_snippet() -> None:
    worded = compat(["known-failure"] * 4, [f"{WRAPPER} on {v.label}" for v in V],
                    check="kvm/x/edit-guest.virsh")
    assert WRAPPER in evidence_head_html(worded)
    assert WRAPPER not in evidence_head_html(worded, say_why=False)
