"""Every page loads cleanly in Chromium, and each behaviour readers rely on works there."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from tests.browser.pages import PAGE_TYPES, every_page
from tests.built_site import ROOT

pytestmark = pytest.mark.browser


def load(page: Any, path: str) -> list[str]:
    """Open ``path``; every console error, uncaught exception and failed request on the way."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(
        f"request failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: problems.append(
        f"HTTP {response.status}: {response.url}") if response.status >= 400 else None)
    page.goto(path, wait_until="networkidle")
    return problems


def test_every_page_loads_without_console_errors_or_failed_requests(page: Any, site: Path) -> None:
    paths = every_page(site)
    assert len(paths) > 60  # both languages, every issue, the redirects
    failures = {}
    for path in paths:
        problems = load(page, path)
        if problems:
            failures[path] = problems
        page.close()
        page = page.context.new_page()  # listeners belong to a page: a fresh one per load
    assert failures == {}


def test_the_not_found_page_works_at_any_depth(page: Any) -> None:
    problems = load(page, "deep/er/than/any/page.html")
    # The page itself is the expected 404 (Chromium logs it once); everything it loads resolves.
    expected = [f"HTTP 404: {page.url}",
                "console error: Failed to load resource: the server responded with a status of 404 "
                "(Not Found)"]
    assert sorted(problems) == sorted(expected)
    assert page.locator("link[rel=stylesheet]").count() > 0
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != ""
    home = page.locator("a.sidebar-brand").first
    assert home.get_attribute("href").startswith("/")


def search(page: Any, query: str) -> list[str]:
    page.goto(query if "?" in query else f"search.html?q={query}")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    return [href for href in results.evaluate_all("links => links.map(a => a.href)")]


def test_search_finds_an_issue_by_its_bz_number(page: Any) -> None:
    hits = search(page, "654208")
    assert any("issues/kvm-win2008-msi-amd-family16.html" in hit for hit in hits), hits


def test_search_finds_an_issue_by_a_word_of_its_title(page: Any) -> None:
    hits = search(page, "rtl8139")
    assert any("issues/kvm-rtl8139-performance.html" in hit for hit in hits), hits


def test_japanese_search_finds_a_translated_title_word_and_a_bz_number(page: Any) -> None:
    hits = search(page, "ja/search.html?q=仮想")
    assert any("ja/issues/kvm-rtl8139-performance.html" in hit for hit in hits), hits
    hits = search(page, "ja/search.html?q=654208")
    assert any("ja/issues/kvm-win2008-msi-amd-family16.html" in hit for hit in hits), hits


def test_search_finds_nothing_for_a_word_the_site_does_not_have(page: Any) -> None:
    page.goto("search.html?q=zyxwvutsrq")
    page.wait_for_function("document.querySelector('#search-results p.search-summary')")
    assert page.locator("#search-results ul.search li").count() == 0


def test_the_copy_button_copies_the_snippets_exact_bytes(page: Any, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("issues/kvm-rtl8139-performance.html")
    snippet = page.locator("div.rn-snippet").first
    key = snippet.locator(".rn-snippet-caption code").first.inner_text()
    expected = (ROOT / "snippets" / key).read_bytes()
    assert expected.endswith(b"\n")
    button = snippet.get_by_role("button", name=f"copy {key}")
    button.click()
    page.wait_for_function("document.querySelector('button.rn-copy').textContent === 'copied'")
    copied = page.evaluate("navigator.clipboard.readText()")
    # The file's bytes without its final newline, so a pasted command waits for Enter.
    assert copied.encode("utf-8") == expected.removesuffix(b"\n")
    # One copy control per snippet (relnotes.js is the only one giving copy buttons).
    for block in page.locator("div.rn-snippet").all():
        assert block.locator("button").count() == 1


def test_the_copy_button_has_an_accessible_name_naming_the_file(page: Any) -> None:
    page.goto("issues/kvm-rtl8139-performance.html")
    names = page.locator("button.rn-copy").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label'))")
    assert names and all(name.startswith("copy kvm/") for name in names)


def test_the_japanese_copy_button_copies_the_same_bytes(page: Any, context: Any) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("ja/issues/kvm-rtl8139-performance.html")
    snippet = page.locator("div.rn-snippet").first
    key = snippet.locator(".rn-snippet-caption code").first.inner_text()
    snippet.locator("button.rn-copy").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.encode("utf-8") == (ROOT / "snippets" / key).read_bytes().removesuffix(b"\n")


def visible_rows(page: Any) -> int:
    return int(page.locator("table.rn-overview-table tbody tr:not([hidden])").count())


def test_the_overview_filters_narrow_the_table(page: Any) -> None:
    page.goto("overview.html")
    total = visible_rows(page)
    assert total == 15
    page.fill("#rn-filter-text", "rtl8139")
    assert visible_rows(page) == 1
    page.fill("#rn-filter-text", "BZ#654208")
    assert visible_rows(page) == 1
    page.fill("#rn-filter-text", "")
    page.select_option("#rn-filter-topics", "windows-guests")
    windows = visible_rows(page)
    assert 0 < windows < total
    page.select_option("#rn-filter-kind", "technology-preview")
    assert visible_rows(page) < windows
    assert page.locator(".rn-overview-shown").inner_text().endswith(f"of {total} issues shown")


def test_the_overview_shows_every_issue_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("overview.html")
        assert visible_rows(page) == 15
        assert not page.locator("form.rn-overview-filters").is_visible()
    finally:
        context.close()


# The page, or any element of it but a code block (whose lines must not be wrapped: they are
# copied and run), that is wider than its box and scrolls.
SIDEWAYS = """() => {
  const found = [];
  if (document.documentElement.scrollWidth > window.innerWidth) found.push("the page");
  for (const e of document.querySelectorAll("body *")) {
    const style = getComputedStyle(e);
    if (!["auto", "scroll"].includes(style.overflowX) || e.offsetParent === null) continue;
    if (e.tagName === "PRE" || e.closest("pre")) continue;
    if (e.scrollWidth > e.clientWidth + 1) found.push(`${e.tagName}.${e.className}`);
  }
  return found;
}"""


def sideways(page: Any) -> list[str]:
    return list(page.evaluate(SIDEWAYS))


# Every element of the page that reaches past the viewport's left or right edge, but those
# inside a code block (whose lines must not be wrapped: they are copied and run; the block
# scrolls on its own) and those placed wholly off-screen (a closed drawer, a visually hidden
# table head).
WIDER_THAN_THE_VIEWPORT = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const e of document.querySelectorAll("body *")) {
    if (e.closest("pre")) continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= 0 || box.left >= width) continue;
    if (box.left < -1 || box.right > width + 1) {
      found.push(`${e.tagName}.${e.className} from ${Math.round(box.left)} to ${Math.round(box.right)}`);
    }
  }
  return found;
}"""

#: A phone, a tablet (furo without its sidebars), a laptop.
WIDTHS = (375, 768, 1280)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_no_element_is_wider_than_the_viewport_and_nothing_scrolls_sideways(
        browser: Any, base_url: str, kind: str, width: int) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(PAGE_TYPES[kind], wait_until="networkidle")
        assert page.evaluate(WIDER_THAN_THE_VIEWPORT) == []
        assert sideways(page) == []
    finally:
        context.close()


def test_the_overviews_counts_do_not_take_the_themes_indent(page: Any) -> None:
    page.goto(PAGE_TYPES["overview"], wait_until="networkidle")
    margins = page.evaluate("() => [...document.querySelectorAll('.rn-overview-counts > dd')]"
                            ".map(dd => getComputedStyle(dd).marginLeft)")
    assert margins and set(margins) == {"0px"}


def test_the_layout_check_sees_an_element_wider_than_the_viewport(
        browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(PAGE_TYPES["overview"], wait_until="networkidle")
        # The overview's counts as they were: a max-content first column and furo's dd indent.
        page.add_style_tag(content=".rn-overview-counts { display: grid !important;"
                                   " grid-template-columns: max-content 1fr; }"
                                   " .rn-overview-counts > dd { margin-left: 2rem !important; }"
                                   " .rn-overview-counts dt { white-space: nowrap; }")
        page.evaluate("() => { document.querySelector('.rn-overview-counts dt').textContent ="
                      " 'Snippets on a-target-with-a-rather-long-name'; }")
        assert any(found.startswith("DT.") for found in page.evaluate(WIDER_THAN_THE_VIEWPORT))
    finally:
        context.close()


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else float(((value + 0.055) / 1.055) ** 2.4)
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: tuple[float, ...], background: tuple[float, ...]) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


BADGE_COLOURS = """
elements => elements.map(e => {
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const style = getComputedStyle(e);
  return {text: e.textContent, fg: parse(style.color), bg: parse(style.backgroundColor)};
})
"""


@pytest.mark.parametrize("how", ["theme-toggle", "system-preference"])
def test_dark_mode_renders_badges_legibly(browser: Any, base_url: str, how: str) -> None:
    context = browser.new_context(base_url=base_url, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto("snippets.html")
        if how == "theme-toggle":
            page.evaluate("localStorage.setItem('theme', 'dark')")
            page.reload()
            assert page.evaluate("document.body.dataset.theme") == "dark"
        page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page_background != "rgb(255, 255, 255)"  # the page itself is dark
        badges = page.locator(".rn-badge, .rn-summary").evaluate_all(BADGE_COLOURS)
        page.goto("overview.html")
        if how == "theme-toggle":
            assert page.evaluate("document.body.dataset.theme") == "dark"
        badges += page.locator(".rn-summary").evaluate_all(BADGE_COLOURS)
        page.goto("compatibility.html")
        badges += page.locator(".rn-compat-cell").evaluate_all(BADGE_COLOURS)
        assert badges
        illegible = [(b["text"], round(contrast(b["fg"], b["bg"]), 2)) for b in badges
                     if (len(b["bg"]) == 4 and b["bg"][3] < 1) or contrast(b["fg"], b["bg"]) < 4.5]
        assert illegible == []
    finally:
        context.close()


def test_contrast_is_computed_the_wcag_way() -> None:
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert contrast((119, 119, 119), (255, 255, 255)) < 4.5  # #777 on white fails AA


def test_every_page_links_to_itself_in_the_other_language(page: Any, site: Path) -> None:
    for path in ("index.html", "issues/kvm-migration-nx.html", "rn-topic.html", "search.html"):
        page.goto(path)
        switch = page.locator("nav.rn-language-switcher a[hreflang=ja]")
        switch.click()
        assert page.url.endswith("/ja/" + path), page.url
        page.locator("nav.rn-language-switcher a[hreflang=en]").click()
        assert page.url.endswith("/" + path) and "/ja/" not in page.url


def test_the_snippet_template_holds_the_files_bytes_in_both_languages(site: Path) -> None:
    # What the copy button reads; compared for every snippet on the translated page.
    from bs4 import BeautifulSoup

    for language in ("", "ja/"):
        html = (site / f"{language}issues/kvm-rtl8139-performance.html").read_text()
        for snippet in BeautifulSoup(html, "html.parser").select("div.rn-snippet"):
            key = snippet.select_one(".rn-snippet-caption code").get_text()
            data = base64.b64decode(snippet.select_one("template.rn-snippet-bytes")["data-content"])
            assert data == (ROOT / "snippets" / key).read_bytes()


def test_a_console_error_and_a_missing_file_are_caught(page: Any) -> None:
    problems = load(page, "index.html")
    assert problems == []
    page.evaluate("console.error('broken on purpose')")
    page.evaluate("fetch('_static/missing-on-purpose.js').catch(() => null)")
    page.wait_for_timeout(500)
    assert "console error: broken on purpose" in problems
    assert any(p.startswith("HTTP 404:") and p.endswith("missing-on-purpose.js") for p in problems)


def test_a_page_wider_than_the_screen_is_caught(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto("overview.html")
        assert sideways(page) == []
        page.evaluate("document.querySelector('article').append(Object.assign("
                      "document.createElement('div'), {style: 'width: 900px', textContent: 'x'}))")
        assert sideways(page) != []
    finally:
        context.close()
