"""Compatibility per snippet: the row of cells, the computed sentence, "still needed" from the
issue's symptom only, and the page of every snippet on every version."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import Tag
from relnotes.core.environment import Environment
from relnotes.core.ledger import (
    Layer,
    LayerStatus,
    Ledger,
    Observation,
    Record,
    SnippetStatus,
    Status,
    SymptomObservation,
    write_ledger,
)
from relnotes.core.plan import plan_checks
from relnotes.sphinxext.compatibility import (
    Cell,
    Compatibility,
    Version,
    compatibility_of,
    need_on,
    target_versions,
    versions_text,
)
from relnotes.sphinxext.compatibility import sentence as sentence_of
from relnotes.sphinxext.verification import SnippetView
from sphinx.application import Sphinx

from tests.sphinx_build import evidence, page, warnings_of

ROOT_SNIPPETS = Path(__file__).parent / "roots" / "test-compat" / "snippets"
ENVIRONMENTS = {
    "bullseye": Environment("bullseye", "7.0.0", "5.2.0", "kvm", "sha256:1111"),
    "bookworm": Environment("bookworm", "9.0.0", "7.2.19", "kvm", "sha256:2222"),
    "trixie": Environment("trixie", "11.3.0", "10.0.2", "kvm", "sha256:3333"),
    "trixie-backports": Environment("trixie-backports", "12.9.0", "11.1.0", "kvm", "sha256:4444"),
}
E1000_REASON = "libvirt 7.0 refuses the model on this machine type"
DRIVE_REASON = "needs a physical drive"
# The issue's symptom on the unchanged guest: the problem (the RTL8139) shows, or does not.
STILL = SymptomObservation("nic-models", "contains 'rtl8139'", "['rtl8139']", True)
ALREADY = SymptomObservation("nic-models", "contains 'rtl8139'", "['e1000']", False)
# A control that does not meet the effect's expectation: says nothing of necessity on its own.
CONTROL = Observation("nic-models", "contains 'e1000'", "['e1000']", "['rtl8139']", False)


def record(srcdir: Path, snippet: str, target: str, result: Status, reason: str | None = None,
           symptom: SymptomObservation | None = None, data: bytes | None = None) -> Record:
    checks = {m.snippet: c for c in plan_checks(ROOT_SNIPPETS) for m in c.members}
    data = (srcdir / "snippets" / snippet).read_bytes() if data is None else data
    return Record(
        inputs=checks[snippet].inputs(target), snippet=snippet,
        sha256=hashlib.sha256(data).hexdigest(), inputs_sha256="x", result=result,
        reason=reason, layers={"effect": Layer(LayerStatus.PASSED)},
        environment=ENVIRONMENTS[target], verified_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        duration=1.0, observations=(CONTROL,), symptom=symptom, run_sequence=1, run_id="a",
    )


def write_compat_ledger(srcdir: Path) -> None:
    ledger = Ledger()
    for args in (
        ("comp/model.xml", "bullseye", Status.EXPECTED_FAILURE, E1000_REASON),
        ("comp/model.xml", "bookworm", Status.PASSED, None, STILL),
        ("comp/model.xml", "trixie", Status.PASSED, None, STILL),
        ("comp/model.xml", "trixie-backports", Status.INDISTINCT, None, ALREADY),
        # Passed with a discriminating control, but no symptom: nothing said about "needed".
        ("comp/script.sh", "bullseye", Status.PASSED),
        ("comp/script.sh", "trixie", Status.NOT_VERIFIABLE, DRIVE_REASON),
    ):
        ledger.add(record(srcdir, *args))  # type: ignore[arg-type]
    # Verified with bytes the snippet no longer has: stale, whatever its observations say.
    ledger.add(record(srcdir, "comp/script.sh", "bookworm", Status.PASSED, None, STILL,
                      data=b"old bytes\n"))
    # comp/script.sh has no record on trixie-backports, comp/fresh.xml none anywhere.
    write_ledger(ledger, srcdir / "ledger.json")


def block(app: Sphinx, docname: str, key: str) -> Tag:
    """The snippet as a reader sees it with its disclosure opened: relnotes.js puts the
    snippet's part of the evidence page into it."""
    found = page(app, docname).select_one(f'div.rn-snippet[id="snippet-{key}"]')
    assert found is not None, key
    details = found.select_one("details.rn-snippet-details")
    part = evidence(app, docname.removesuffix(".html"), key)
    if details is not None and part is not None:
        details.append(part)
    return found


def cells(snippet: Tag) -> list[tuple[str, str]]:
    """(group class, words) of each version's line in the evidence, in the order shown."""
    return [(next(c for c in cell["class"] if c.startswith("rn-summary-")),
             cell.get_text(" ", strip=True))
            for cell in snippet.select("details ul.rn-compat-row .rn-compat-cell")]


def sentence(snippet: Tag) -> str:
    """The sentence of the snippet's line of status (after its symbol, before its day)."""
    line = snippet.select_one("p.rn-status-line")
    assert line is not None
    symbol = line.select_one('span[aria-hidden="true"]').get_text()
    return line.get_text().split(" · ")[0].removeprefix(symbol).strip()


def needs(compat: Tag) -> list[str]:
    return [p.get_text() for p in compat.select("p.rn-compat-need")]


@pytest.fixture
def built(app: Sphinx) -> Sphinx:
    write_compat_ledger(Path(app.srcdir))
    app.build()
    assert warnings_of(app) == []
    return app


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-row", freshenv=True)
def test_each_snippet_has_a_cell_per_target_oldest_first_with_symbol_and_words(built: Sphinx) -> None:
    assert cells(block(built, "issue.html", "comp-model-xml")) == [
        ("rn-summary-known-failure", "Fails on libvirt 7.0.0 / QEMU 5.2.0 (KVM) (known), 2026-11-20"),
        ("rn-summary-verified", "Verified on libvirt 9.0.0 / QEMU 7.2.19 (KVM), 2026-11-20"),
        ("rn-summary-verified", "Verified on libvirt 11.3.0 / QEMU 10.0.2 (KVM), 2026-11-20"),
        ("rn-summary-effect-not-shown", "Ran on libvirt 12.9.0 / QEMU 11.1.0 (KVM), 2026-11-20; "
         "effect not distinguishable from an unchanged guest"),
    ]


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-sentence", freshenv=True)
def test_the_sentence_names_version_ranges_and_the_records_reason(built: Sphinx) -> None:
    assert sentence(block(built, "issue.html", "comp-model-xml")) == (
        f"Works on libvirt 9.0 to 11.3; known to fail on libvirt 7.0: {E1000_REASON}; "
        "ran on libvirt 12.9, but the effect was not shown.")


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-stale", freshenv=True)
def test_stale_and_unrecorded_targets_are_never_said_to_work(built: Sphinx) -> None:
    compat = block(built, "issue.html", "comp-script-sh")
    assert cells(compat) == [
        ("rn-summary-verified", "Verified on libvirt 7.0.0 / QEMU 5.2.0 (KVM), 2026-11-20"),
        ("rn-summary-stale", "Stale on libvirt 9.0 / QEMU 7.2: changed since it was verified"),
        ("rn-summary-not-verifiable", "Not verifiable on libvirt 11.3 / QEMU 10.0"),
        ("rn-summary-not-verified", "Not verified on libvirt 12.9 / QEMU 11.1"),
    ]
    assert sentence(compat) == (
        f"Works on libvirt 7.0; not verifiable on libvirt 11.3: {DRIVE_REASON}; "
        "stale on libvirt 9.0: changed since it was verified; not verified on libvirt 12.9.")
    # The stale record's symptom says "still needed", but it is stale: nothing is said; the
    # other records state no symptom.
    assert needs(compat) == []


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-needed", freshenv=True)
def test_still_needed_and_not_needed_come_from_the_symptom_combined_per_answer(built: Sphinx) -> None:
    assert needs(block(built, "issue.html", "comp-model-xml")) == [
        "Still needed on libvirt 9.0 to 11.3: without it, nic-models = ['rtl8139'].",
        "Not needed on libvirt 12.9: without it, nic-models = ['e1000'].",
    ]


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-no-symptom", freshenv=True)
def test_a_passing_controlled_check_without_a_symptom_says_nothing_of_need(built: Sphinx) -> None:
    # comp/script.sh passed on bullseye with a control that did not meet its expectation
    assert needs(block(built, "issue.html", "comp-script-sh")) == []


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-none", freshenv=True)
def test_a_snippet_never_verified_is_not_verified_everywhere(built: Sphinx) -> None:
    compat = block(built, "bare.html", "comp-fresh-xml")
    assert [group for group, _words in cells(compat)] == ["rn-summary-not-verified"] * 4
    assert sentence(compat) == "Not verified on libvirt 7.0 to 12.9."
    assert needs(compat) == []


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-matrix", freshenv=True)
def test_the_matrix_lists_every_snippet_on_every_version_grouped_by_issue(built: Sphinx) -> None:
    matrix = page(built, "matrix.html")
    sections = matrix.select("section.rn-compat-issue")
    assert [s.find("h2").get_text() for s in sections] == ["An issue never verified", "A NIC issue"]
    headings = [th.get_text() for th in sections[1].select("thead th")]
    assert headings == ["Snippet", "libvirt 7.0 / QEMU 5.2", "libvirt 9.0 / QEMU 7.2",
                        "libvirt 11.3 / QEMU 10.0", "libvirt 12.9 / QEMU 11.1"]
    # The codename only in a tooltip.
    assert [span["title"] for span in sections[1].select("thead th span.rn-version")] == [
        "Debian bullseye", "Debian bookworm", "Debian trixie", "Debian trixie-backports"]
    assert "bookworm" not in sections[1].get_text()
    rows = {row.select_one("th code").get_text(): row for row in sections[1].select("tbody tr")}
    assert list(rows) == ["comp/model.xml", "comp/script.sh"]
    model = rows["comp/model.xml"]
    assert [td.get_text(" ", strip=True) for td in model.select("td")] == [
        "! known failure", "✓ verified", "✓ verified", "~ effect not shown"]
    assert model.select_one("th a")["href"] == "issue.html#snippet-comp-model-xml"
    assert model.select_one("p.rn-compat-sentence").get_text().startswith("Works on libvirt 9.0 to 11.3")
    # The necessity sentences are on the matrix too.
    assert [p.get_text() for p in model.select("p.rn-compat-need")] == [
        "Still needed on libvirt 9.0 to 11.3: without it, nic-models = ['rtl8139'].",
        "Not needed on libvirt 12.9: without it, nic-models = ['e1000'].",
    ]
    assert [td.get_text(" ", strip=True) for td in rows["comp/script.sh"].select("td")] == [
        "✓ verified", "↻ stale", "\u2013 not verifiable", "? not verified"]
    # the matrix carries the same "still needed" sentences as the issue page, and none for a
    # snippet that states no symptom
    issue_page = block(built, "issue.html", "comp-model-xml")
    assert [p.get_text() for p in model.select("p.rn-compat-need")] == needs(issue_page) != []
    assert rows["comp/script.sh"].select("p.rn-compat-need") == []


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-ja", confoverrides={"language": "ja"},
                    freshenv=True)
def test_the_row_and_the_matrix_build_in_japanese(built: Sphinx) -> None:
    compat = block(built, "issue.html", "comp-model-xml")
    assert sentence(compat) == (
        f"libvirt 9.0 から 11.3 で動作します; libvirt 7.0 では既知の失敗: {E1000_REASON}; "
        "libvirt 12.9 で実行されましたが、効果を確認できませんでした。")
    assert needs(compat)[0] == (
        "libvirt 9.0 から 11.3 ではまだ必要です: 回避策がなければ nic-models = ['rtl8139'] です。")
    assert page(built, "matrix.html").select("section.rn-compat-issue")


@pytest.mark.sphinx("html", testroot="compat", srcdir="compat-rewrite", freshenv=True)
def test_a_new_ledger_rewrites_the_row_and_the_matrix(app: Sphinx, make_app: Any) -> None:
    app.build()
    # No ledger: the versions are the majors the target catalogue declares.
    assert sentence(block(app, "issue.html", "comp-model-xml")) == (
        "Not verified on libvirt 7 to 12.")
    write_compat_ledger(Path(app.srcdir))
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    assert sentence(block(again, "issue.html", "comp-model-xml")).startswith("Works on libvirt 9.0")
    matrix = page(again, "matrix.html")
    assert "libvirt 9.0 / QEMU 7.2" in [th.get_text() for th in matrix.select("thead th")]


# -- the words, without a build --------------------------------------------------------------

VERSIONS = [Version("bullseye", "7.0"), Version("bookworm", "9.0"), Version("trixie", "11.3"),
            Version("trixie-backports", "12.9")]


def test_a_range_reaching_the_newest_target_reads_and_later_only_when_open_ended() -> None:
    assert versions_text(VERSIONS, [1, 2, 3], open_ended=True) == "libvirt 9.0 and later"
    assert versions_text(VERSIONS, [1, 2, 3]) == "libvirt 9.0 to 12.9"


def test_separate_runs_are_listed_and_single_versions_stand_alone() -> None:
    assert versions_text(VERSIONS, [0, 3]) == "libvirt 7.0 and libvirt 12.9"
    assert versions_text(VERSIONS, [0, 2, 3], open_ended=True) == "libvirt 7.0 and libvirt 11.3 and later"


def test_a_target_the_ledger_has_no_record_of_is_named_by_the_catalogues_versions() -> None:
    versions = target_versions(Ledger(), ["bookworm", "elsewhere"])
    assert versions["bookworm"].full_label == "libvirt 9 / QEMU 7"
    assert versions["bookworm"].tooltip == "Debian bookworm"
    # A target the catalogue does not know is named by its name.
    assert versions["elsewhere"].label == "elsewhere"
    assert versions_text([versions["bookworm"], Version("trixie", None)], [0, 1]) == "libvirt 9 to trixie"


def test_not_verifiable_everywhere_for_one_reason_is_said_once_without_versions() -> None:
    everywhere = Compatibility("k", tuple(Cell(v, "not-verifiable", DRIVE_REASON) for v in VERSIONS),
                               None, ())
    assert sentence_of(everywhere) == f"Not verifiable: {DRIVE_REASON}."


def test_a_failure_on_the_oldest_and_newest_lists_both_with_its_reason() -> None:
    groups = ["fails", "verified", "verified", "fails"]
    compat = Compatibility("k", tuple(Cell(v, g, "boom" if g == "fails" else None)
                                      for v, g in zip(VERSIONS, groups, strict=True)), None, ())
    assert sentence_of(compat) == "Works on libvirt 9.0 to 11.3; fails on libvirt 7.0 and libvirt 12.9: boom."


def bare_record(result: Status, symptom: SymptomObservation | None = None,
                observations: tuple[Observation, ...] = ()) -> Record:
    return Record(snippet="k", sha256="s", inputs_sha256="x", result=result, reason=None,
                  layers={}, environment=ENVIRONMENTS["bookworm"],
                  verified_at=datetime(2026, 11, 20, tzinfo=UTC), duration=1.0,
                  observations=observations, symptom=symptom)


@pytest.mark.parametrize(("status", "observations"), [
    (Status.PASSED, (CONTROL,)),  # a discriminating control is no symptom
    (Status.INDISTINCT, (Observation("nic-models", "contains 'e1000'", "['e1000']",
                                     "['e1000']", True),)),
    (Status.BASELINE_CHANGED, (CONTROL,)),
])
def test_without_a_symptom_nothing_is_said_whatever_the_controls_show(
        status: Status, observations: tuple[Observation, ...]) -> None:
    assert need_on(status, bare_record(status, None, observations),
                   Version("bookworm", "9.0")) is None


@pytest.mark.parametrize("status", [Status.STALE, Status.MISSING])
def test_a_record_that_is_not_current_says_nothing_of_need(status: Status) -> None:
    assert need_on(status, bare_record(Status.PASSED, STILL), Version("bookworm", "9.0")) is None


@pytest.mark.parametrize(("symptom", "needed"), [(STILL, True), (ALREADY, False)])
@pytest.mark.parametrize("status", [Status.PASSED, Status.NOT_VERIFIABLE, Status.INDISTINCT,
                                    Status.BASELINE_CHANGED])
def test_the_symptom_alone_decides_still_needed_or_not_needed(
        status: Status, symptom: SymptomObservation, needed: bool) -> None:
    need = need_on(status, bare_record(status, symptom), Version("bookworm", "9.0"))
    assert need is not None and need.needed is needed
    assert need.values() == f"nic-models = {symptom.value}"


def test_no_record_says_nothing_about_necessity() -> None:
    assert need_on(Status.MISSING, None, Version("bookworm", "9.0")) is None


def test_a_long_symptom_value_is_said_as_the_problem_it_shows() -> None:
    line = "'/usr/bin/qemu-system-x86_64 -name guest=@GUEST@,debug-threads=on -S -object secr…"
    long = SymptomObservation("cmdline", "lacks 'kvmclock=on'", line, True)
    need = need_on(Status.PASSED, bare_record(Status.PASSED, long), Version("bookworm", "9.0"))
    assert need is not None
    assert need.values() == "cmdline (lacks 'kvmclock=on': the problem shows)"


def test_a_reasons_full_stop_does_not_come_before_the_next_clause() -> None:
    groups = ["known-failure", "verified", "verified", "verified"]
    compat = Compatibility("k", tuple(Cell(v, g, "too old." if g == "known-failure" else None)
                                      for v, g in zip(VERSIONS, groups, strict=True)), None, ())
    assert sentence_of(compat) == "Works on libvirt 9.0 and later; known to fail on libvirt 7.0: too old."


def test_targets_differing_only_in_an_unshown_reason_share_one_clause() -> None:
    ledger = Ledger()
    statuses = []
    for version, reason in zip(VERSIONS[2:], ("control met on 11.3", "control met on 12.9"),
                               strict=True):
        environment = ENVIRONMENTS[version.target]
        ledger.add(Record(snippet="k", sha256="s", inputs_sha256="x", result=Status.INDISTINCT,
                          reason=reason, layers={}, environment=environment,
                          verified_at=datetime(2026, 11, 20, tzinfo=UTC), duration=1.0))
        statuses.append(SnippetStatus(version.target, Status.INDISTINCT, reason, None, None))
    view = SnippetView("k", "s", tuple(statuses), ())
    compat = compatibility_of(view, ledger, {v.target: v for v in VERSIONS[2:]},
                              [v.target for v in VERSIONS[2:]])
    assert sentence_of(compat) == "Ran on libvirt 11.3 to 12.9, but the effect was not shown."
    assert compat.needs == ()  # indistinct, but no symptom


def test_a_pending_spec_is_not_verified_everywhere_whatever_the_ledger_says() -> None:
    ledger = Ledger()
    ledger.add(bare_record(Status.PASSED, STILL))
    view = SnippetView("k", "s", (SnippetStatus("bookworm", Status.PASSED, None, None, None),),
                       (), pending="the check is being written")
    compat = compatibility_of(view, ledger, {"bookworm": VERSIONS[1]}, ["bookworm"])
    assert [cell.group for cell in compat.cells] == ["not-verified"]
    assert compat.needs == ()
    assert sentence_of(compat) == "Not verified: the check is being written"


def test_in_html_on_a_translation_the_records_words_are_marked_in_their_language() -> None:
    groups = ["known-failure", "verified", "verified", "verified"]
    compat = Compatibility("k", tuple(Cell(v, g, "too <old> for it." if g == "known-failure" else None)
                                      for v, g in zip(VERSIONS, groups, strict=True)), None, ())
    # Plain text: as before; HTML in the records' language: escaped, nothing marked.
    assert sentence_of(compat) == (
        "Works on libvirt 9.0 and later; known to fail on libvirt 7.0: too <old> for it.")
    assert sentence_of(compat, "") == (
        "Works on libvirt 9.0 and later; known to fail on libvirt 7.0: too &lt;old&gt; for it.")
    # A translation: the reason, inserted into the page's sentence, says it is English.
    assert sentence_of(compat, "en") == (
        "Works on libvirt 9.0 and later; known to fail on libvirt 7.0: "
        '<span lang="en">too &lt;old&gt; for it</span>.')


def test_in_html_on_a_translation_the_probe_and_its_value_are_marked_in_their_language() -> None:
    seen = SymptomObservation("nic-models", "shows 'rtl8139'", "['rtl8139']", True)
    need = need_on(Status.PASSED, bare_record(Status.PASSED, seen), Version("bookworm", "9.0"))
    assert need is not None
    assert need.values("en") == '<span lang="en">nic-models = [&#39;rtl8139&#39;]</span>'
    line = "'/usr/bin/qemu-system-x86_64 -name guest=@GUEST@,debug-threads=on -S -object secr…"
    long = SymptomObservation("cmdline", "lacks 'kvmclock=on'", line, True)
    need = need_on(Status.PASSED, bare_record(Status.PASSED, long), Version("bookworm", "9.0"))
    assert need is not None
    assert need.values("en") == ('<span lang="en">cmdline</span> (<span lang="en">lacks '
                                 "&#39;kvmclock=on&#39;</span>: the problem shows)")
