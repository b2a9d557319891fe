"""The rn domain on small test roots: records, links, indices and machine-readable output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.model import Kind
from relnotes.sphinxext.domain import relnotes_domain
from sphinx.application import Sphinx
from sphinx.util.inventory import InventoryFile

from tests.sphinx_build import page, warnings_of


@pytest.fixture
def built(app: Sphinx) -> Sphinx:
    app.build()
    return app


@pytest.mark.sphinx("html", testroot="basic")
def test_records_every_issue_with_its_fields(built: Sphinx) -> None:
    assert warnings_of(built) == []
    issues = {issue.id: issue for issue in relnotes_domain(built.env).all_issues()}
    assert sorted(issues) == ["alpha", "beta", "gamma"]
    alpha = issues["alpha"]
    assert alpha.title == "Alpha breaks the network"
    assert alpha.bz == (100001, 100002)
    assert alpha.releases == ("RHEL 5", "RHEL 5.6")
    assert alpha.kind is Kind.KNOWN_ISSUE
    assert alpha.topics == ("networking", "migration")
    assert alpha.docname == "issues/alpha"


@pytest.mark.sphinx("html", testroot="basic")
def test_issue_page_shows_metadata_and_links(built: Sphinx) -> None:
    html = page(built, "issues/alpha.html")
    metadata = html.select_one("dl.rn-issue-metadata")
    assert metadata is not None
    fields = {dt.get_text(strip=True).rstrip(":"): dd for dt, dd in
              zip(metadata.select("dt"), metadata.select("dd"), strict=True)}
    assert [a["href"] for a in fields["Bugzilla"].select("a")] == [
        "https://bz.example/100001", "https://bz.example/100002"]
    assert fields["Component"].select_one("a")["href"] == "../components/comp.html"
    assert fields["Kind"].get_text(strip=True) == "Known Issue"
    assert [a.get_text() for a in fields["Topics"].select("a")] == ["networking", "migration"]
    assert fields["Topics"].select_one("a")["href"] == "../rn-topic.html#cap-networking"
    # See also: by title, to the page; the footer comes after the page's own sections.
    rubrics = [r.get_text() for r in html.select("p.rubric")]
    assert rubrics == ["See also", "Related issues", "Referenced by"]
    see_also = html.select_one("p.rubric + ul a")
    assert see_also.get_text() == "Beta slows migration"
    assert see_also["href"] == "beta.html"
    related = [a.get_text() for a in html.select("ul.rn-related-issues a")]
    assert related == ["Beta slows migration"]  # shares "migration"; gamma shares nothing
    referenced_by = [a["href"] for a in html.select("ul.rn-referenced-by a")]
    assert referenced_by == ["beta.html"]


@pytest.mark.sphinx("html", testroot="basic")
def test_bz_mentions_link_to_local_issue_else_bugzilla(built: Sphinx) -> None:
    html = page(built, "issues/beta.html")
    links = {a.get_text(): a["href"] for a in html.select("div.body a") if "BZ#" in a.get_text()}
    assert links["BZ#100002"] == "alpha.html"  # carried by a local issue
    assert links["BZ#999999"] == "https://bz.example/999999"  # unknown here: vendor Bugzilla
    assert "BZ#100001" not in links  # inside code: left alone
    # On its own page, a BZ mention goes to Bugzilla rather than linking to itself.
    own = page(built, "issues/alpha.html")
    prose = [a["href"] for a in own.select("section#symptom a") if a.get_text() == "BZ#100001"]
    assert prose == ["https://bz.example/100001"]


@pytest.mark.sphinx("html", testroot="basic")
def test_component_page_lists_its_issues(built: Sphinx) -> None:
    html = page(built, "components/comp.html")
    rows = html.select("table.rn-issue-list tbody tr")
    assert [row.select_one("a").get_text() for row in rows] == [
        "Alpha breaks the network", "Beta slows migration", "Gamma has no Bugzilla entry"]
    assert rows[0].select("td")[1].get_text(strip=True) == "BZ#100001, BZ#100002"


@pytest.mark.sphinx("html", testroot="basic")
def test_indices_group_issues(built: Sphinx) -> None:
    def groups(name: str) -> dict[str, list[str]]:
        html = page(built, name)
        found: dict[str, list[str]] = {}
        current = ""
        for row in html.select("table.indextable tr"):
            if "cap" in (row.get("class") or []):
                current = row.get_text(strip=True)
            elif row.select_one("a") is not None:
                found.setdefault(current, []).append(row.select_one("a").get_text(strip=True))
        return found

    assert groups("rn-topic.html") == {
        "migration": ["Alpha breaks the network", "Beta slows migration"],
        "networking": ["Alpha breaks the network"],
        "storage": ["Gamma has no Bugzilla entry"],
    }
    assert groups("rn-kind.html") == {
        # gamma's page says ":kind: limitation", a kind of earlier versions: a known issue.
        "Known Issue": ["Alpha breaks the network", "Gamma has no Bugzilla entry"],
        "Technology Preview": ["Beta slows migration"],
    }
    assert groups("rn-component.html")["comp"] == [
        "Alpha breaks the network", "Beta slows migration", "Gamma has no Bugzilla entry"]
    by_bz = groups("rn-bz.html")
    assert by_bz["1xxxxx"] == ["BZ#100001", "BZ#100002"]
    assert by_bz["2xxxxx"] == ["BZ#200002"]
    assert by_bz["No Bugzilla number"] == ["Gamma has no Bugzilla entry"]


@pytest.mark.sphinx("html", testroot="basic")
def test_issues_json_and_bz_redirects(built: Sphinx) -> None:
    data = json.loads((Path(built.outdir) / "issues.json").read_text())
    records = {record["id"]: record for record in data["issues"]}
    assert records["alpha"]["url"] == "issues/alpha.html"
    assert records["alpha"]["bz"] == [100001, 100002]
    assert records["alpha"]["kind"] == "known-issue"
    assert records["alpha"]["releases"] == ["RHEL 5", "RHEL 5.6"]
    [snippet] = records["alpha"]["snippets"]
    assert snippet["path"] == "comp/alpha/fix.xml"
    assert snippet["status"]["bookworm"]["status"] == "missing"
    assert records["gamma"]["snippets"] == []
    redirect = page(built, "bz/100002.html")
    assert redirect.select_one("link[rel=canonical]")["href"] == "../issues/alpha.html"
    assert "url=../issues/alpha.html" in redirect.select_one("meta[http-equiv=refresh]")["content"]
    assert not (Path(built.outdir) / "bz" / "999999.html").exists()


@pytest.mark.sphinx("html", testroot="basic")
def test_objects_inventory_and_search_index(built: Sphinx) -> None:
    with open(Path(built.outdir) / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "https://notes.example", lambda base, uri: f"{base}/{uri}")
    assert inventory["rn:issue"]["alpha"].uri == (
        "https://notes.example/issues/alpha.html#rn-issue-alpha")
    assert inventory["rn:bz"]["200002"].uri == "https://notes.example/issues/beta.html#rn-issue-beta"
    search = (Path(built.outdir) / "searchindex.js").read_text()
    index = json.loads(search[search.index("(") + 1 : search.rindex(")")])
    # Sphinx leaves digit-only words out of the full-text index; a BZ number is found
    # as an object instead (the search page matches object names by substring).
    entries = [entry for group in index["objects"].values() for entry in group]
    names = [entry[4] for entry in entries]
    assert {entry[3] for entry in entries} == {"rn-issue-alpha", "rn-issue-beta", "rn-issue-gamma"}
    for number in ("100001", "100002", "200002"):
        assert any(number in name for name in names), (number, names)
    assert "Alpha breaks the network" in names
    assert "packet" in index["terms"]  # symptom words (stemmed) find the page


@pytest.mark.sphinx("html", testroot="basic", parallel=2, freshenv=True)
def test_parallel_build_gives_the_same_records(app: Sphinx) -> None:
    app.build()
    assert warnings_of(app) == []
    data = json.loads((Path(app.outdir) / "issues.json").read_text())
    assert [record["id"] for record in data["issues"]] == ["alpha", "beta", "gamma"]
    assert page(app, "issues/alpha.html").select("ul.rn-referenced-by a")[0]["href"] == "beta.html"


@pytest.mark.sphinx("html", testroot="basic", srcdir="backlinks-incremental")
def test_incremental_build_updates_backlinks_of_unchanged_pages(
    app: Sphinx, make_app: object
) -> None:
    app.build()
    assert page(app, "issues/alpha.html").select("ul.rn-referenced-by a")
    beta = Path(app.srcdir) / "issues" / "beta.md"
    beta.write_text(beta.read_text().replace("{rn:issue}`alpha` and BZ#100002", "nothing"))
    again = make_app("html", srcdir=app.srcdir, freshenv=False)  # type: ignore[operator]
    again.build()
    # alpha.md did not change, yet its "Referenced by" must drop beta.
    assert page(again, "issues/alpha.html").select("ul.rn-referenced-by a") == []


@pytest.mark.sphinx("html", testroot="basic", srcdir="redirects", freshenv=True)
def test_redirects_follow_the_bz_numbers_issues_carry(app: Sphinx, make_app: Any) -> None:
    app.build()
    stale = Path(app.outdir) / "bz" / "100001.html"
    assert stale.is_file()
    alpha = Path(app.srcdir) / "issues" / "alpha.md"
    alpha.write_text(alpha.read_text().replace(":bz: 100001, 100002", ":bz: 100002"))
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    assert not stale.exists()
    assert (Path(app.outdir) / "bz" / "100002.html").is_file()
