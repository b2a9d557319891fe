"""The overview table and each issue page's one-line answer, from the verification statuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from relnotes.core.ledger import SnippetStatus, Status
from relnotes.sphinxext.overview import summarise
from sphinx.application import Sphinx

from tests.sphinx_build import page
from tests.test_snippet_directive import write_test_ledger, written


def status(value: Status) -> SnippetStatus:
    return SnippetStatus("bookworm", value, None, None, None)


def test_summaries_count_each_group_and_leave_empty_ones_out() -> None:
    statuses = [status(Status.PASSED), status(Status.EXPECTED_FAILURE), status(Status.PASSED),
                status(Status.STALE), status(Status.MISSING)]
    assert summarise(statuses) == (("verified", 2), ("known-failure", 1), ("stale", 1),
                                   ("not-verified", 1))
    assert summarise([]) == ()


OVERVIEW_PAGE = "# Overview\n\n```{rn:overview}\n```\n"


@pytest.mark.sphinx("html", testroot="snippets", srcdir="overview", freshenv=True)
def test_the_overview_lists_every_issue_with_its_summary_per_target(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    (Path(app.srcdir) / "overview.md").write_text(OVERVIEW_PAGE)
    app.build()
    overview = page(app, "overview.html")
    rows = overview.select("table.rn-overview-table tbody tr")
    assert len(rows) == 1
    row = rows[0]
    assert (row["data-component"], row["data-kind"], row["data-releases"]) == ("comp", "known-issue", "R")
    assert row["data-statuses"] == "fails|not-verified|stale|verified"
    # The issue and its facts in one cell, then a column per version, named by its versions.
    assert row.select_one("th a").get_text() == "Snippet issue"
    assert row.select_one("th .rn-overview-facts").get_text() == "comp · Known Issue · R"
    headings = [th.get_text() for th in overview.select("table.rn-overview-table thead th")]
    assert headings == ["Issue", "libvirt 9.0 / QEMU 7.2", "libvirt 11.3 / QEMU 10.0"]
    cells = [(td["data-version"], td["data-statuses"], td.get_text(" ", strip=True))
             for td in row.select("td")]
    # verified.xml is shown twice on the page and counted once.
    assert cells == [("9.0", "verified|stale", "✓ 1 verified ↻ 1 stale"),
                     ("11.3", "fails|not-verified", "✗ 1 fails ? 1 not verified")]
    assert row.select_one("a")["href"] == "issue.html"
    counts = [dd.get_text(" ", strip=True) for dd in overview.select("dl.rn-overview-counts dd")]
    assert counts == ["1", "✓ 1 verified ↻ 1 stale", "✗ 1 fails ? 1 not verified"]
    assert [dt.get_text() for dt in overview.select("dl.rn-overview-counts dt")][1:] == [
        "Snippets on libvirt 9.0 / QEMU 7.2", "Snippets on libvirt 11.3 / QEMU 10.0"]
    # No codename is shown (only in tooltips).
    shown = overview.select_one("div.rn-overview")
    for tooltip in shown.select("[title]"):
        del tooltip["title"]
    assert "bookworm" not in str(shown) and "trixie" not in str(shown)
    # The count is above the table; the status filter offers only statuses some row has.
    assert overview.select_one("p.rn-overview-shown").find_next("table") is not None
    offered = [o["value"] for o in overview.select("#rn-filter-statuses option") if o["value"]]
    assert offered == ["verified", "fails", "stale", "not-verified"]
    assert overview.select_one("form.rn-overview-filters button[type=reset]") is not None
    # The version choice: a form whose field is the URL's "libvirt", hidden without the script.
    picker = overview.select_one("form.rn-version-picker")
    assert picker.has_attr("hidden")
    assert [(o["value"], o.get_text()) for o in picker.select("select[name=libvirt] option")] == [
        ("", "every version"), ("9.0", "libvirt 9.0 / QEMU 7.2"),
        ("11.3", "libvirt 11.3 / QEMU 10.0")]
    # Without JavaScript the filters stay hidden and every row is shown.
    assert overview.select_one("form.rn-overview-filters").has_attr("hidden")
    assert not any(row.has_attr("hidden") for row in rows)


@pytest.mark.sphinx("html", testroot="snippets", srcdir="overview-answer", freshenv=True)
def test_an_issue_page_starts_with_what_works_and_fails_on_each_version(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    issue = page(app, "issue.html")
    answer = issue.select_one("div.rn-answer")
    lines = {li["data-version"]: li.get_text(" ", strip=True)
             for li in answer.select("ul.rn-answer-versions li")}
    assert lines == {
        "9.0": "libvirt 9.0 / QEMU 7.2 : ✓ works: verified.xml",
        "11.3": "libvirt 11.3 / QEMU 10.0 : ? no snippet is verified to work; ✗ fails: verified.xml",
    }
    # Each snippet named links to it on the page.
    assert answer.select_one('li[data-version="9.0"] a')["href"] == "#snippet-comp-verified-xml"
    # It comes before the metadata and the snippets, with the version choice.
    assert answer.find_next("dl", class_="rn-issue-metadata") is not None
    assert answer.select_one("form.rn-version-picker select[name=libvirt]") is not None


@pytest.mark.sphinx("html", testroot="snippets", srcdir="overview-rewrite", freshenv=True)
def test_a_new_ledger_rewrites_the_overview_although_no_source_changed(
    app: Sphinx, make_app: Any
) -> None:
    (Path(app.srcdir) / "overview.md").write_text(OVERVIEW_PAGE)
    app.build()
    before = page(app, "overview.html").select_one("table.rn-overview-table tbody tr")["data-statuses"]
    assert before == "not-verified"
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    assert "overview" not in written(again)  # nothing changed: not rewritten
    write_test_ledger(Path(app.srcdir))
    third = make_app("html", srcdir=app.srcdir, freshenv=False)
    third.build()
    assert "0 added, 0 changed, 0 removed" in third._status.getvalue()  # nothing re-read
    assert "overview" in written(third)
    after = page(third, "overview.html").select_one("table.rn-overview-table tbody tr")["data-statuses"]
    assert after == "fails|not-verified|stale|verified"
