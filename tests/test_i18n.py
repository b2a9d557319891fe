"""The site in Japanese: the extension's words, the banner, the switcher, snippets untouched by
translation, and warnings for broken catalog entries."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from relnotes.sphinxext.catalogs import check_catalog
from sphinx import locale as sphinx_locale
from sphinx.application import Sphinx
from sphinx.cmd.build import build_main

from tests.sphinx_build import page, warning_at, warnings_of

ROOTS = Path(__file__).parent / "roots"
JA = {"language": "ja"}


@pytest.mark.sphinx("html", testroot="i18n", srcdir="i18n-ja", confoverrides=JA, freshenv=True)
def test_a_fully_translated_page_has_no_banner_and_a_partly_translated_one_has_it(app: Sphinx) -> None:
    app.build()
    assert warnings_of(app) == []
    home = page(app, "index.html")
    assert home.find("h1").get_text().startswith("ホーム")
    assert home.select_one(".rn-language-banner") is None
    issue = page(app, "issue.html")
    assert issue.find("h1").get_text().startswith("ある問題")
    banner = issue.select_one(".rn-language-banner")
    assert banner is not None
    assert banner.get_text() == "このコンテンツは選択した言語では利用できません。 English"
    # Inside the page's content, after its title, linking the page in English.
    assert banner.parent.name == "section" and banner.find_previous_sibling("h1") is not None
    link = banner.select_one("a")
    assert (link["href"], link["hreflang"], link["lang"]) == ("../issue.html", "en", "en")
    # What nobody translated is marked English, for a screen reader's voice; the rest is not.
    untranslated = next(p for p in issue.select("p") if p.get_text() == "A paragraph nobody translated.")
    assert untranslated["lang"] == "en"
    assert not issue.find("h1").has_attr("lang")


@pytest.mark.sphinx("html", testroot="i18n", srcdir="i18n-snippet", confoverrides=JA, freshenv=True)
def test_a_translation_cannot_change_a_snippets_bytes(app: Sphinx) -> None:
    app.build()
    data = (Path(app.srcdir) / "snippets/comp/run.sh").read_bytes()
    issue = page(app, "issue.html")
    snippet = issue.select_one("div.rn-snippet")
    assert snippet.select_one("pre").get_text() == data.decode()
    assert base64.b64decode(snippet.select_one("template.rn-snippet-bytes")["data-content"]) == data
    # The same text in an ordinary literal block is changed by the same catalog entry.
    others = [pre.get_text() for pre in issue.select("pre")
              if pre.find_parent("div", class_="rn-snippet") is None]
    assert len(others) == 1 and others[0] != data.decode()


@pytest.mark.sphinx("html", testroot="i18n", srcdir="i18n-words", confoverrides=JA, freshenv=True)
def test_the_extensions_words_are_japanese(app: Sphinx) -> None:
    app.build()
    issue = page(app, "issue.html")
    labels = [dt.get_text().rstrip(":") for dt in issue.select("dl.rn-issue-metadata dt")]
    assert labels[:3] == ["問題", "Bugzilla", "コンポーネント"]
    # No version has a run of the snippet: its badges stay in its disclosure (no evidence page).
    assert [badge.get_text() for badge in issue.select(".rn-badge")] == [
        "libvirt 9 / QEMU 7 では未検証", "libvirt 11 / QEMU 10 では未検証"]
    assert issue.select("a.rn-evidence-link") == []
    answer = issue.select_one(".rn-answer")
    assert answer.select_one(".rn-answer-title").get_text() == "お使いのバージョンへの影響と、動作する回避策"
    assert answer.select_one("li").get_text() == (
        "libvirt 9 / QEMU 7: ? 動作を検証済みのスニペットはありません")
    assert answer.select_one("form.rn-version-picker label").get_text() == "お使いのバージョン"
    assert issue.select_one("details.rn-snippet-details summary").get_text() == (
        "根拠: 各実行、対照、検証用の変更")
    switch = issue.select_one("nav.rn-language-switcher a")
    assert (switch["href"], switch["hreflang"]) == ("../issue.html", "en")


@pytest.mark.sphinx("html", testroot="i18n", srcdir="i18n-en", freshenv=True)
def test_the_source_language_has_no_banner_and_links_to_the_translation(app: Sphinx) -> None:
    app.build()
    issue = page(app, "issue.html")
    assert issue.select_one(".rn-language-banner") is None
    switch = issue.select_one("nav.rn-language-switcher a")
    assert (switch["href"], switch["hreflang"]) == ("ja/issue.html", "ja")


# Its index.po has a fuzzy entry (line 6), a placeholder mismatch (10) and an obsolete one (13).
BROKEN = ROOTS / "test-i18n-broken" / "locale/ja/LC_MESSAGES/index.po"


def test_broken_catalog_entries_are_reported_at_their_line() -> None:
    problems = [(problem.lineno, problem.message.split(" ")[0]) for problem in check_catalog(BROKEN)]
    assert problems == [(6, "fuzzy"), (10, "placeholders"), (13, "obsolete")]


@pytest.mark.sphinx("html", testroot="i18n-broken", srcdir="i18n-broken", confoverrides=JA, freshenv=True)
def test_a_broken_catalog_is_a_located_warning(app: Sphinx) -> None:
    catalog = Path(app.srcdir) / "locale/ja/LC_MESSAGES/index.po"
    app.build()
    warning_at(app, str(catalog), 6, "fuzzy entry 'A translated paragraph.' is not used")
    warning_at(app, str(catalog), 10, "placeholders of '%(count)s issues' differ in its translation: "
               "expected ['%(count)s'], found ['%(number)s']")
    warning_at(app, str(catalog), 13, "obsolete entry 'A sentence that was removed'")
    assert all("[relnotes.catalog]" in w for w in warnings_of(app))


def test_a_broken_catalog_fails_a_build_with_w(tmp_path: Path) -> None:
    arguments = ["-q", "-W", "-D", "language=ja", "-b", "html", "-d", str(tmp_path / "doctrees")]
    try:
        assert build_main([*arguments, str(ROOTS / "test-i18n-broken"), str(tmp_path / "broken")]) != 0
        assert build_main([*arguments, str(ROOTS / "test-i18n"), str(tmp_path / "clean")]) == 0
    finally:
        sphinx_locale.translators.clear()  # Sphinx keeps its Japanese words per process
    shipped = (Path(__file__).parent.parent
               / "_ext/relnotes/sphinxext/locale/ja/LC_MESSAGES/relnotes.po")
    assert check_catalog(shipped) == []  # the extension's own catalog is clean


def test_the_japanese_search_splitter_segments_japanese_and_keeps_english_words() -> None:
    from relnotes.sphinxext.japanese_search import MixedScriptSplitter
    from sphinx.search.ja import DefaultSplitter

    splitter = MixedScriptSplitter({})
    words = splitter.split("rtl8139 仮想 NIC は性能が低下する BZ#654208")
    assert words[0] == "rtl8139" and "NIC" in words and "654208" in words
    japanese = [w for w in words if not w.isascii()]
    assert japanese == [w for w in DefaultSplitter({}).split("仮想") + DefaultSplitter({}).split(
        "は性能が低下する") if w.strip()]


def extension_messages() -> set[str]:
    """Every message the extension's modules pass to ``_``, as pybabel extracts them."""
    from babel.messages.extract import extract_from_file

    package = Path(__file__).parent.parent / "_ext/relnotes/sphinxext"
    found = set()
    for module in package.glob("*.py"):
        if "relnotes.sphinxext.i18n import" in module.read_text() or module.name == "i18n.py":
            for _lineno, message, _comments, _context in extract_from_file(
                    "python", str(module), keywords={"_": None}):
                found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_word_the_extension_shows_has_a_japanese_translation() -> None:
    from babel.messages.pofile import read_po

    shipped = (Path(__file__).parent.parent
               / "_ext/relnotes/sphinxext/locale/ja/LC_MESSAGES/relnotes.po")
    with shipped.open("rb") as stream:
        catalog = {message.id: message.string for message in read_po(stream) if message.id}
    messages = extension_messages()
    assert "This content is not available in the selected language." in messages
    assert len(messages) >= 59  # every module that imports _ was read
    assert sorted(m for m in messages if not catalog.get(m)) == []


def test_every_word_of_the_results_table_has_a_japanese_translation() -> None:
    from babel.messages.pofile import read_po
    from relnotes.core.results import words

    shipped = (Path(__file__).parent.parent
               / "_ext/relnotes/sphinxext/locale/ja/LC_MESSAGES/relnotes.po")
    with shipped.open("rb") as stream:
        catalog = {message.id: message.string for message in read_po(stream) if message.id}
    assert "Conflicting results on %(target)s" in words()
    assert sorted(word for word in words() if not catalog.get(word)) == []


def test_every_template_of_the_feed_has_a_japanese_translation() -> None:
    from babel.messages.pofile import read_po
    from relnotes.core.feed import TEMPLATES

    shipped = (Path(__file__).parent.parent
               / "_ext/relnotes/sphinxext/locale/ja/LC_MESSAGES/relnotes.po")
    with shipped.open("rb") as stream:
        catalog = {message.id: message.string for message in read_po(stream) if message.id}
    assert "the workaround now fails on %(where)s" in TEMPLATES
    assert sorted(template for template in TEMPLATES if not catalog.get(template)) == []


def test_the_template_catalog_has_every_message_the_japanese_catalog_translates() -> None:
    from babel.messages.pofile import read_po

    locale = Path(__file__).parent.parent / "_ext/relnotes/sphinxext/locale"
    with (locale / "relnotes.pot").open("rb") as stream:
        template = {message.id for message in read_po(stream) if message.id}
    with (locale / "ja/LC_MESSAGES/relnotes.po").open("rb") as stream:
        japanese = {message.id for message in read_po(stream) if message.id}
    assert "Verified on %(versions)s." in template
    assert sorted(map(str, japanese - template)) == []
