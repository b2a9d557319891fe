"""Words searched for are highlighted on the page a result leads to; other pages load no
highlighting script."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

#: The scripts only highlighting needs (the search page loads them for itself).
HIGHLIGHT_ONLY = ("sphinx_highlight.js", "doctools.js", "documentation_options.js",
                  "translations.js")


def highlighted(page: Any) -> list[str]:
    page.wait_for_selector("article span.highlighted", timeout=10_000)
    return list(page.locator("article span.highlighted").evaluate_all(
        "spans => spans.map(s => s.textContent)"))


@pytest.mark.parametrize(("search", "target", "word"), [
    ("search.html?q=rtl8139", "issues/kvm-rtl8139-performance.html", "rtl8139"),
    ("ja/search.html?q=仮想", "ja/issues/kvm-rtl8139-performance.html", "仮想"),
])
def test_a_search_result_leads_to_its_page_with_the_words_highlighted(
        page: Any, search: str, target: str, word: str) -> None:
    page.goto(search)
    # Result links are relative to the search page, which is at its language's root.
    page.locator(f'#search-results ul.search li a[href^="{target.removeprefix("ja/")}"]').first.click()
    page.wait_for_url(f"**/{target}*")
    found = highlighted(page)
    assert found and {text.lower() for text in found} == {word}


def test_a_highlight_parameter_highlights_its_words(page: Any) -> None:
    page.goto("issues/kvm-rtl8139-performance.html?highlight=rtl8139")
    assert {text.lower() for text in highlighted(page)} == {"rtl8139"}
    # Sphinx's script takes the words out of the address once they are shown.
    assert "highlight=" not in page.url


def test_a_page_opened_without_words_to_highlight_requests_no_highlight_script(page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("issues/kvm-rtl8139-performance.html", "ja/issues/kvm-rtl8139-performance.html",
                 "index.html"):
        page.goto(path, wait_until="networkidle")
    assert requested
    assert [url for url in requested if url.split("?")[0].endswith(HIGHLIGHT_ONLY)] == []
    assert page.locator("span.highlighted").count() == 0


def test_the_check_sees_a_highlight_script_being_requested(page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("issues/kvm-rtl8139-performance.html?highlight=rtl8139", wait_until="networkidle")
    assert any(url.split("?")[0].endswith("sphinx_highlight.js") for url in requested)
