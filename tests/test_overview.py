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
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    # verified.xml is shown twice on the page and counted once.
    assert cells == ["Snippet issue", "comp", "Known Issue", "R", "—",
                     "✓ 1 verified ↻ 1 stale", "✗ 1 fails ? 1 not verified"]
    assert row.select_one("a")["href"] == "issue.html"
    counts = [dd.get_text(" ", strip=True) for dd in overview.select("dl.rn-overview-counts dd")]
    assert counts == ["1", "✓ 1 verified ↻ 1 stale", "✗ 1 fails ? 1 not verified"]
    # Without JavaScript the filters stay hidden and every row is shown.
    assert overview.select_one("form.rn-overview-filters").has_attr("hidden")
    assert not any(row.has_attr("hidden") for row in rows)


@pytest.mark.sphinx("html", testroot="snippets", srcdir="overview-answer", freshenv=True)
def test_an_issue_page_starts_with_its_workarounds_state_on_each_target(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    issue = page(app, "issue.html")
    answer = issue.select_one("p.rn-answer")
    assert answer.get_text(" ", strip=True) == (
        "Workaround: bookworm : ✓ 1 verified ↻ 1 stale ; trixie : ✗ 1 fails ? 1 not verified")
    # It comes before the metadata and the snippets.
    assert answer.find_next("dl", class_="rn-issue-metadata") is not None


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
