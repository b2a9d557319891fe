"""The reader's question, asked in Chromium at phone, tablet and desktop widths, in both
languages: on my libvirt version, does this issue affect me, which snippet works, and what do I
copy? The site is built with the hand-made ledger of ``sample_ledger.py``: the published
wrapper of the MSI issue fails on every version, its modern variant works on every one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.built_site import ROOT

pytestmark = pytest.mark.browser

WIDTHS = (375, 768, 1280)
LANGUAGES = ("", "ja/")
ISSUE = "issues/kvm-win2008-msi-amd-family16.html"
WORKING = "kvm/kvm-win2008-msi-amd-family16/modern/cpu-family-16.xml"
VERSIONS = ("7.0", "9.0", "11.3", "12.9")
SCREENS = ROOT / "_build" / "browser-screens"


@pytest.fixture
def sized(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page of a fresh context (nothing remembered) at the width the test names."""
    width = request.node.callspec.params["width"]
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


def wider_than_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def shown_versions(page: Any, selector: str) -> list[str]:
    return list(page.locator(selector).evaluate_all(
        "cells => cells.filter(c => c.offsetParent !== null).map(c => c.dataset.version)"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_choose_a_version_find_the_working_snippet_and_copy_it(
        sized: Any, width: int, language: str) -> None:
    page = sized
    # On the overview: every version's column, then the reader picks theirs.
    page.goto(f"{language}overview.html")
    header = "table.rn-overview-table thead th[data-version]"
    cells = "table.rn-overview-table tbody tr:first-child td[data-version]"
    assert shown_versions(page, cells) == list(VERSIONS)
    page.select_option("#rn-version", "9.0")
    assert "libvirt=9.0" in page.url
    assert shown_versions(page, cells) == ["9.0"]
    assert not wider_than_the_screen(page)
    if width >= 768:  # stacked below 48em: the cells carry the version's name instead
        assert page.locator(header).filter(has_text="libvirt 9.0 / QEMU 7.2").is_visible()
    screenshot(page, f"overview-{language.strip('/') or 'en'}-{width}")

    # The issue page answers for that version first: the choice came along.
    page.locator(f'table.rn-overview-table a[href$="{ISSUE}"]').click()
    page.wait_for_url(f"**/{ISSUE}?libvirt=9.0")
    assert page.locator("#rn-version").input_value() == "9.0"
    answer = page.locator("div.rn-answer")
    assert shown_versions(page, "div.rn-answer li[data-version]") == ["9.0"]
    line = answer.locator('li[data-version="9.0"]')
    assert "libvirt 9.0 / QEMU 7.2" in line.inner_text()
    # The working snippet is named first and links to it; the failing one follows.
    links = line.locator("a")
    assert links.first.inner_text() == "cpu-family-16.xml"
    assert "edit-guest.virsh" in links.nth(1).inner_text()
    links.first.click()
    snippet = page.locator(f'div.rn-snippet[id="snippet-{WORKING.replace("/", "-").replace(".", "-")}"]')
    assert snippet.is_visible()
    # One compact line of status, the evidence folded, one copy control.
    status = snippet.locator("p.rn-status-line")
    assert status.count() == 1 and "libvirt 7.0" in status.inner_text()
    assert not snippet.locator("details.rn-snippet-details").evaluate("d => d.open")
    assert snippet.locator("button").count() == 1
    snippet.locator("button.rn-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    data = (ROOT / "snippets" / WORKING).read_bytes()
    assert data.endswith(b"\n")
    assert copied.encode("utf-8") == data.removesuffix(b"\n")  # the final newline is left out
    # The as-published variant comes after it, folded.
    published = page.locator("details.rn-as-published")
    assert published.count() == 1 and not published.evaluate("d => d.open")
    order = page.evaluate(
        "([a, b]) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING",
        [snippet.element_handle(), published.element_handle()])
    assert order
    assert not wider_than_the_screen(page)
    screenshot(page, f"issue-{language.strip('/') or 'en'}-{width}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", (*WIDTHS, 1920))
def test_the_tables_show_every_version_without_scrolling_sideways(
        sized: Any, width: int, language: str) -> None:
    page = sized
    for path, table in (("overview.html", "table.rn-overview-table"),
                        ("compatibility.html", "table.rn-compat-table"),
                        ("snippets.html", "table.rn-snippet-table")):
        page.goto(f"{language}{path}")
        assert not wider_than_the_screen(page), path
        # Every version's cell of the first row is inside the screen: no hidden column.
        first = page.locator(table).first.locator("tbody tr").first
        boxes = first.locator("td").evaluate_all(
            "cells => cells.map(c => c.getBoundingClientRect().right)")
        assert len(boxes) == len(VERSIONS) and max(boxes) <= width, (path, boxes)
        # Words are not broken letter by letter: a snippet name's line is wider than a word.
        narrowest = first.locator("th").evaluate(
            "th => th.getBoundingClientRect().width")
        assert narrowest > 150, (path, narrowest)
        screenshot(page, f"{path.removesuffix('.html')}-{language.strip('/') or 'en'}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_without_javascript_every_version_and_row_is_shown(
        browser: Any, base_url: str, width: int) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False,
                                  viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto("overview.html?libvirt=9.0&statuses=fails")
        assert page.locator("table.rn-overview-table tbody tr:not([hidden])").count() == 15
        assert shown_versions(page, "table.rn-overview-table tbody tr:first-child td") == list(VERSIONS)
        assert not page.locator("form.rn-version-picker").is_visible()
        page.goto(ISSUE)
        assert shown_versions(page, "div.rn-answer li[data-version]") == list(VERSIONS)
    finally:
        context.close()


def test_filters_and_version_are_in_the_url_and_reset(page: Any) -> None:
    page.goto("overview.html?libvirt=7.0&statuses=known-failure")
    assert page.locator("#rn-version").input_value() == "7.0"
    shown = page.locator("table.rn-overview-table tbody tr:not([hidden])")
    # Known failures on libvirt 7.0 only: the MSI and PXE issues of the sample ledger.
    titles = shown.locator("th a").all_inner_texts()
    assert len(titles) == shown.count() > 0
    assert any("Windows 2008" in title for title in titles)
    count = page.locator(".rn-overview-shown").inner_text()
    assert count.startswith(f"{len(titles)} of 15")
    # The count is above the table.
    assert page.evaluate("document.querySelector('.rn-overview-shown').getBoundingClientRect().top"
                         " < document.querySelector('table.rn-overview-table').getBoundingClientRect().top")
    # On libvirt 12.9 the PXE variant works: fewer rows with a known failure there.
    page.select_option("#rn-version", "12.9")
    assert "libvirt=12.9" in page.url and "statuses=known-failure" in page.url
    assert shown.count() < len(titles)
    page.get_by_role("button", name="Reset the filters").click()
    page.wait_for_function("!location.search.includes('statuses')")
    assert shown.count() == 15
    # Every status offered matches some row.
    offered = page.locator("#rn-filter-statuses option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)")
    page.select_option("#rn-version", "")
    for value in offered:
        page.select_option("#rn-filter-statuses", value)
        assert shown.count() > 0, value


def test_the_version_is_remembered_across_pages(page: Any) -> None:
    page.goto("compatibility.html")
    page.select_option("#rn-version", "11.3")
    assert set(shown_versions(page, "table.rn-compat-table thead th[data-version]")) == {"11.3"}
    page.goto("snippets.html")
    page.wait_for_url("**/snippets.html?libvirt=11.3")
    assert shown_versions(page, "table.rn-snippet-table thead th[data-version]") == ["11.3"]
    page.select_option("#rn-version", "")
    assert "libvirt=" not in page.url
    page.goto("overview.html")
    assert "libvirt=" not in page.url


def test_a_version_that_does_not_exist_shows_every_version(page: Any) -> None:
    page.goto("overview.html?libvirt=1.0")
    assert page.locator("#rn-version").input_value() == ""
    assert shown_versions(page, "table.rn-overview-table tbody tr:first-child td") == list(VERSIONS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_versions_are_named_by_libvirt_and_qemu_not_by_codename(page: Any, language: str) -> None:
    for path in ("overview.html", ISSUE, "compatibility.html", "snippets.html"):
        page.goto(f"{language}{path}")
        text = page.locator("article").inner_text()
        assert "libvirt 9.0 / QEMU 7.2" in text, path
        for codename in ("bullseye", "bookworm", "trixie"):
            assert codename not in text, (path, codename)
        # The codename is in the tooltip.
        assert page.locator('span.rn-version[title="Debian bookworm"]').count() > 0
