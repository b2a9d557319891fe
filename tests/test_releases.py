"""Release note types on the site, a page per release, the release index, filtered issue lists."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.model import LEGACY_KINDS, Kind, RecordError, parse_kind
from relnotes.core.releases import release_order, release_slugs
from sphinx.application import Sphinx

from tests.sphinx_build import page, warning_at, warnings_of

ROOT = Path(__file__).parent / "roots" / "test-releases"


def test_the_kinds_are_the_trackers_release_note_types_in_section_order() -> None:
    assert [kind.title for kind in Kind] == [
        "Feature", "Enhancement", "Rebase", "Bug Fix", "CVE", "Technology Preview",
        "Developer Preview", "Deprecated Functionality", "Removed Functionality", "Known Issue"]
    assert [kind.order for kind in Kind] == list(range(len(Kind)))
    assert Kind.from_tracker("known issue") is Kind.KNOWN_ISSUE
    assert Kind.from_tracker("Release Note Not Required") is None


def test_the_kinds_of_earlier_versions_are_read_as_documented() -> None:
    assert {value: parse_kind(value) for value in LEGACY_KINDS} == {
        "limitation": Kind.KNOWN_ISSUE, "unsupported-feature": Kind.KNOWN_ISSUE,
        "release-note": Kind.ENHANCEMENT}
    with pytest.raises(RecordError, match="'bug' is not one of: feature, enhancement"):
        parse_kind("bug")


def test_releases_are_ordered_as_declared_then_by_version() -> None:
    assert release_order(["RHEL 5.10", "RHEL 5.9", "RHEL 5", "Z"], ["Z"]) == [
        "Z", "RHEL 5", "RHEL 5.9", "RHEL 5.10"]
    assert release_slugs(["RHEL 5.6", "rhel-5.6", "!!"]) == {
        "RHEL 5.6": "rhel-5-6", "rhel-5.6": "rhel-5-6-2", "!!": "release"}


@pytest.fixture
def built(app: Sphinx) -> Sphinx:
    app.build()
    return app


def section_items(html: Any, section: str) -> list[str]:
    found = html.select_one(f"section#{section}")
    return [item.a.get_text() for item in found.select("li")] if found else []


@pytest.mark.sphinx("html", testroot="releases")
def test_a_page_per_release_lists_its_issues_by_type_in_order(built: Sphinx) -> None:
    assert warnings_of(built) == []
    html = page(built, "releases/rhel-9-4.html")
    assert html.select_one("h1").get_text(strip=True).startswith("Release notes for RHEL 9.4")
    headings = [h.get_text(strip=True) for h in html.select("section.rn-release h2")]
    # Sections in the types' order, each worded as a release's notes say it.
    assert headings == ["New features", "Bug fixes", "Technology Previews", "Known issues",
                        "Fixed in this release"]
    assert section_items(html, "feature") == ["A new virsh command lists interfaces"]
    assert section_items(html, "bug-fix") == ["libvirtd no longer leaks memory"]
    assert section_items(html, "known-issue") == ["The MTU of a bridge is not applied to new guests"]
    # A known issue of 9.3 fixed in 9.4 is listed as fixed here, and marked so on 9.3's page.
    assert section_items(html, "fixed-here") == ["The virtio NIC drops packets under load"]
    older = page(built, "releases/rhel-9-3.html")
    nic = next(li for li in older.select("section#known-issue li")
               if "virtio NIC" in li.get_text())
    assert nic.select_one(".rn-release-fixed").get_text() == "fixed in RHEL 9.4"
    assert "(RHEL-101)" in nic.get_text()
    # The legacy kind is filed as what it maps to.
    assert section_items(page(built, "releases/rhel-9-2.html"), "known-issue") == [
        "An issue of an old kind", "Guests lose time after a host suspend"]


@pytest.mark.sphinx("html", testroot="releases")
def test_the_kind_index_lists_the_types_in_their_order(built: Sphinx) -> None:
    groups = [row.get_text(strip=True)
              for row in page(built, "rn-kind.html").select("table.indextable tr.cap td")
              if row.get_text(strip=True)]
    assert groups == ["Feature", "Bug Fix", "Technology Preview", "Deprecated Functionality",
                      "Known Issue"]


@pytest.mark.sphinx("html", testroot="releases")
def test_the_release_index_counts_each_release_in_the_declared_order(built: Sphinx) -> None:
    rows = [[cell.get_text(strip=True) for cell in row.select("td")]
            for row in page(built, "releases/index.html").select("table.rn-release-index tbody tr")]
    assert rows == [
        ["RHEL 9.2", "0", "0", "1", "2"],
        ["RHEL 9.3", "0", "0", "0", "3"],
        ["RHEL 9.4", "2", "2", "0", "1"],
    ]


@pytest.mark.sphinx("html", testroot="releases")
def test_an_issue_page_shows_fixed_in_and_links_its_releases(built: Sphinx) -> None:
    html = page(built, "issues/nic-drops.html")
    fields = {dt.get_text(strip=True).rstrip(":"): dt.find_next_sibling("dd")
              for dt in html.select("dl.rn-issue-metadata dt")}
    assert fields["Fixed in"].get_text(strip=True) == "RHEL 9.4"
    assert fields["Fixed in"].a["href"] == "../releases/rhel-9-4.html"
    assert fields["Affected releases"].a["href"] == "../releases/rhel-9-3.html"
    assert fields["Jira"].a["href"] == "https://issues.redhat.com/browse/RHEL-101"


@pytest.mark.sphinx("html", testroot="releases")
def test_issue_lists_filter_by_kind_release_topic_and_status(built: Sphinx) -> None:
    tables = page(built, "index.html").select("table.rn-issue-list")
    listed = [[row.a.get_text() for row in table.select("tbody tr")] for table in tables]
    assert listed == [
        # known issues of 9.3 about networking, still open
        ["The MTU of a bridge is not applied to new guests"],
        # the component's fixed issues
        ["libvirtd no longer leaks memory", "The virtio NIC drops packets under load"],
        # new in 9.4
        ["A new virsh command lists interfaces", "virtio-mem is a Technology Preview"],
    ]
    empty = page(built, "index.html").select_one("section#none p")
    assert empty.get_text() == "No issues are recorded for CVE."


@pytest.mark.sphinx("html", testroot="releases")
def test_a_retired_issue_keeps_its_page_and_redirects_with_a_banner(built: Sphinx) -> None:
    html = page(built, "issues/old-retired.html")
    banner = html.select_one("div.rn-retired")
    assert banner.select_one(".admonition-title").get_text() == "Retired"
    assert banner.select("p")[-1].get_text() == (
        "Retired since 2026-11-30: not reproduced on libvirt 11.3 and later")
    redirect = (Path(built.outdir) / "jira" / "RHEL-90.html").read_text()
    assert 'href="../issues/old-retired.html"' in redirect
    assert (Path(built.outdir) / "jira" / "RHEL-101.html").is_file()
    assert page(built, "issues/nic-drops.html").select_one("div.rn-retired") is None
    listed = next(li for li in page(built, "releases/rhel-9-2.html").select("li")
                  if "host suspend" in li.get_text())
    assert listed.select_one(".rn-release-retired").get_text() == "retired since 2026-11-30"


def build_copy(make_app: Callable[..., Any], tmp_path: Path, name: str, text: str) -> Sphinx:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site)
    (site / name).write_text(text)
    app = make_app("html", srcdir=site, freshenv=True)
    app.build()
    return app


@pytest.mark.parametrize(("text", "message"), [
    ("# Bad\n\n```{rn:issue-list}\n:kind: bug\n```\n",
     "issue list: invalid option kind: 'bug' is not one of"),
    ("# Bad\n\n```{rn:issue-list}\n:status: closed\n```\n",
     "issue list: invalid option status: 'closed' is not one of: open, fixed, retired"),
    ("# Bad\n\n```{rn:issue} bad\n:component: virt\n:releases: RHEL 9.2\n:kind: known-issue\n"
     ":retired: someday\n```\n",
     "invalid field retired: 'someday' is not 'YYYY-MM-DD: why it is retired'"),
    ("# Bad\n\n```{rn:issue} bad\n:component: virt\n:releases: RHEL 9.2\n:kind: known-issue\n"
     ":retired: 2026-02-30: gone\n```\n",
     "invalid field retired: '2026-02-30' is not a date"),
    ("# Bad\n\n```{rn:issue-list}\n:topic: gpu\n```\n",
     "issue list: invalid option topics: unknown topic(s) 'gpu'"),
])
def test_a_bad_filter_or_retirement_is_a_located_warning(
        make_app: Callable[..., Any], tmp_path: Path, text: str, message: str) -> None:
    app = build_copy(make_app, tmp_path, "bad.md", text)
    warning_at(app, "bad.md", 3, message)


def test_a_release_the_site_does_not_declare_is_a_located_warning(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    app = build_copy(make_app, tmp_path, "issues/odd.md",
                     "# Odd\n\n```{rn:issue} odd\n:component: virt\n:releases: RHEL 8\n"
                     ":kind: known-issue\n```\n")
    warning_at(app, "odd.md", 3, "invalid field releases: 'RHEL 8' is not one of the site's "
                                 "releases (RHEL 9.2, RHEL 9.3, RHEL 9.4")
    app = build_copy(make_app, tmp_path / "2", "issues/odd.md",
                     "# Odd\n\n```{rn:issue} odd\n:component: virt\n:releases: RHEL 9.2\n"
                     ":kind: known-issue\n:fixed-in: RHEL 10\n```\n")
    warning_at(app, "odd.md", 3, "invalid field fixed-in: 'RHEL 10' is not one of the site's")


@pytest.mark.sphinx("html", testroot="releases", srcdir="releases-ja",
                    confoverrides={"language": "ja"})
def test_the_release_pages_speak_the_builds_language(built: Sphinx) -> None:
    html = page(built, "releases/rhel-9-4.html")
    assert html.select_one("section.rn-release h1").get_text(strip=True).startswith(
        "RHEL 9.4 のリリースノート")
    assert [h.get_text(strip=True) for h in html.select("section.rn-release h2")] == [
        "新機能", "バグ修正", "テクノロジープレビュー", "既知の問題", "このリリースで修正済み"]


def test_relnotes_check_reports_a_bad_issue_list_filter_as_the_build_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from relnotes.cli import main

    site = tmp_path / "site"
    shutil.copytree(ROOT, site)
    assert main(["--site", str(site), "check", "--source", "."]) == 0
    (site / "bad.md").write_text("# Bad\n\n```{rn:issue-list}\n:status: closed\n```\n")
    capsys.readouterr()
    assert main(["--site", str(site), "check", "--source", "."]) == 1
    assert ("bad.md:3: issue list: invalid option status: 'closed' is not one of: open, fixed, "
            "retired [relnotes.invalid_field]") in capsys.readouterr().out
