"""Every Japanese page speaks Japanese: no English a reader sees or hears, unless it is marked
``lang="en"`` (content left in English, the records' words) or is one of the few technical
tokens listed here.

The walk opens every ``ja/`` page in Chromium with every disclosure open, and reads each
visible text and each ``aria-label``, ``title``, ``alt`` and ``placeholder``, and the results
of a search. Code (``pre``, ``code``: commands, XML, file names) is not prose and is left out,
and so are the reader's own search words echoed and the excerpts the search page cuts from a
page's text (its languages run together, they cannot be marked in part). A text with no Japanese
character is English when a Latin word is left after the allowed tokens are taken out; a text
mixing both is English when three Latin words follow one another (an English phrase in a
Japanese sentence; single words such as "NIC" or "virtio" belong to the sentence).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.settings import load_settings

from tests.browser.pages import every_page
from tests.built_site import ROOT

pytestmark = pytest.mark.browser

_SETTINGS = load_settings(ROOT)

#: The technical tokens a Japanese page may show unmarked: product, version and ticket names,
#: the names in the theme's credit, and the site's identifiers (components and topics from
#: relnotes.toml, issue ids and other lowercase slugs).
ALLOWED = [
    r"Red Hat Enterprise Linux", r"Red Hat", r"RHEL \d+(?:\.\d+)*",
    r"libvirt(?: \d+(?:\.\d+)*)?", r"QEMU(?: \d+(?:\.\d+)*)?", r"\((?:KVM|TCG)\)", r"KVM", r"TCG",
    r"Debian", r"bullseye", r"bookworm", r"trixie-backports", r"trixie",
    r"BZ#\d+", r"\dx+", r"Bugzilla", r"Jira", r"BZ", r"ID",
    r"Sphinx", r"Furo", r"@pradyunsg", r"GitHub", r"Read the Docs",
    r"[a-z0-9]+(?:-[a-z0-9]+)+",  # slugs: issue ids, topics such as windows-guests
    r"[\w.-]+(?:/[\w.-]+)+",  # snippet paths (a copy button's name says which file)
    *(re.escape(name) for name in (*_SETTINGS.topics, *_SETTINGS.components)),
    r"kvm",
]
_ALLOWED = re.compile(r"(?<![A-Za-z])(?:" + "|".join(ALLOWED) + r")(?![A-Za-z])")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
_LATIN = r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?"  # a word, with its "'s" or "n't"
_WORD = re.compile(r"[A-Za-z]{2,}(?:['\u2019][A-Za-z]+)?")
# Three Latin words in a row, with nothing but spaces and ASCII punctuation between them.
_PHRASE = re.compile(_LATIN + r"(?:[\s,.;:!?()'\"/-]+" + _LATIN + "){2,}")


def english(text: str) -> bool:
    """The text holds English a Japanese reader should not get unmarked."""
    rest = _ALLOWED.sub(" ", text)
    if _JAPANESE.search(text):
        return _PHRASE.search(rest) is not None
    return _WORD.search(rest) is not None


# What a reader sees and hears on the page, with the language each part is marked in.
READ_PAGE = """() => {
  for (const details of document.querySelectorAll("details")) details.open = true;
  const found = [];
  const langOf = (element) =>
    (element.closest("[lang]") || document.documentElement).getAttribute("lang") || "";
  const where = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.className && typeof e.className === "string"
        ? "." + e.className.trim().split(/\\s+/).join(".") : ""));
    }
    return parts.join(" > ");
  };
  const shown = (element) => element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const text = node.nodeValue.replace(/\\s+/g, " ").trim();
    if (!text || !element || element.closest("script, style, template, noscript, pre, code")) continue;
    // The reader's own search words, echoed; a result's excerpt, which Sphinx's search script
    // cuts from the page's text with its languages run together (a result of a page left in
    // English is marked as a whole, title and excerpt).
    if (element.closest(".highlighted, #search-results p.context")) continue;
    if (!shown(element)) continue;
    found.push({kind: "text", text, lang: langOf(element), where: where(element)});
  }
  for (const element of document.body.querySelectorAll("[aria-label], [title], [alt], [placeholder]")) {
    if (element.closest("pre, code, template")) continue;
    for (const name of ["aria-label", "title", "alt", "placeholder"]) {
      const value = (element.getAttribute(name) || "").trim();
      if (value) found.push({kind: name, text: value, lang: langOf(element), where: where(element)});
    }
  }
  return found;
}"""


#: A search on the Japanese search page, whose results (titles, summaries) the walk reads too.
SEARCH = "ja/search.html?q=rtl8139"


def english_on(page: Any, path: str) -> list[str]:
    page.goto(path, wait_until="networkidle")
    if "?q=" in path:  # the results, then their summaries (fetched from each page)
        page.locator("#search-results ul.search li").first.wait_for(timeout=15_000)
        page.wait_for_load_state("networkidle")
    return [f"{item['kind']} {item['text']!r} at {item['where']}"
            for item in page.evaluate(READ_PAGE)
            if not item["lang"].startswith("en") and english(item["text"])]


def test_no_japanese_page_shows_or_announces_unmarked_english(page: Any, site: Path) -> None:
    paths = [path for path in every_page(site) if path.startswith("ja/")] + [SEARCH]
    assert len(paths) > 30
    found = {}
    for path in paths:
        words = english_on(page, path)
        if words:
            found[path] = sorted(set(words))
    assert found == {}, "\n".join(f"{path}: {word}" for path, words in found.items()
                                   for word in words)


def test_the_walk_sees_english_that_is_not_marked(page: Any) -> None:
    assert english_on(page, "ja/index.html") == []
    # An English label, an English title attribute, and an English phrase in a Japanese
    # sentence; the same phrase marked lang="en" passes.
    page.evaluate("""() => {
      const article = document.querySelector("article");
      article.insertAdjacentHTML("beforeend",
        '<button aria-label="Toggle the sidebar">≡</button>'
        + '<p title="Link to this heading">見出し</p>'
        + '<p>検証不可: the guest cannot be reached</p>'
        + '<p>検証不可: <span lang="en">the guest cannot be reached</span></p>');
    }""")
    found = [item for item in page.evaluate(READ_PAGE)
             if not item["lang"].startswith("en") and english(item["text"])]
    assert [(item["kind"], item["text"]) for item in found] == [
        ("text", "検証不可: the guest cannot be reached"),
        ("aria-label", "Toggle the sidebar"),
        ("title", "Link to this heading"),
    ]


def test_english_is_told_from_japanese_and_from_technical_tokens() -> None:
    assert english("Back to top")
    assert english("The issue is the guest's confusion")
    assert english("検証不可: The issue is the guest's confusion")
    assert not english("ページの先頭へ")
    assert not english("libvirt 9.0 / QEMU 7.2")
    assert not english("libvirt 11.3.0 / QEMU 10.0.2 (KVM), 2026-12-02 で検証済み")
    assert not english("デフォルトの rtl8139 仮想 NIC は一部のネットワークで性能が低下することがある")
    assert not english("BZ#654208")
    assert not english("kvm-win2008-msi-amd-family16")
    assert not english("Debian trixie-backports")
    assert not english("コピー kvm/kvm-hwclock-drift/modern/clock.xml")


def test_a_search_result_of_a_page_left_in_english_is_marked_english(page: Any) -> None:
    page.goto(SEARCH)
    page.locator("#search-results ul.search li").first.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    results = page.locator("#search-results ul.search li").evaluate_all(
        "items => items.map(li => [li.querySelector('a').getAttribute('href'),"
        " li.getAttribute('lang')])")
    langs = {href.split("#")[0]: lang for href, lang in results}
    assert langs["compatibility.html"] == "en"  # not translated
    assert langs["issues/kvm-rtl8139-performance.html"] is None  # translated


def test_the_japanese_search_page_says_how_many_pages_it_found(page: Any) -> None:
    for path, expected in ((SEARCH, r"検索が完了しました。\d+ ページ見つかりました。"),
                           ("search.html?q=rtl8139",
                            r"Search finished, found \d+ pages matching the search query\.")):
        page.goto(path)
        page.locator("#search-results ul.search li").first.wait_for(timeout=15_000)
        page.wait_for_function("document.querySelector('#search-results p.search-summary')"
                               ".textContent.trim() !== ''")
        status = page.locator("#search-results p.search-summary").inner_text().strip()
        assert re.fullmatch(expected, status), status
