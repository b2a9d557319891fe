"""The theme's words in Japanese: furo's labels, icon titles and footer come from the
extension's catalog, and a word a rendered template shows that nobody translated is a warning
at the template's line."""

from __future__ import annotations

import pytest
from relnotes.sphinxext.theme_words import translatable
from sphinx.application import Sphinx

from tests.sphinx_build import page, warning_at, warnings_of

JA = {"language": "ja"}


@pytest.mark.sphinx("html", testroot="theme-words", srcdir="theme-words-ja", confoverrides=JA,
                    freshenv=True)
def test_furos_labels_titles_and_footer_are_japanese(app: Sphinx) -> None:
    app.build()
    home = page(app, "index.html")
    labels = {tag["aria-label"] for tag in home.select("[aria-label]")}
    assert {"サイトのナビゲーションを開閉", "目次を開閉", "配色の切り替え (ライト / ダーク / 自動)"} <= labels
    assert not {"Toggle site navigation sidebar", "Toggle table of contents sidebar",
                "Toggle Light / Dark / Auto color theme"} & labels
    titles = {title.get_text() for title in home.select("svg title")}
    assert {"メニュー", "ライトモード", "ダークモード", "自動 (現在はライトモード)"} <= titles
    footer = home.select_one("footer .bottom-of-page")
    text = " ".join(footer.get_text(" ").split())
    assert text.startswith("著作権 © Example Corp. 作成: Sphinx と @pradyunsg の Furo"), text
    # The site's own statement stays in its language, and says so.
    assert footer.select_one(".copyright span[lang=en]").get_text() == "Example Corp."
    assert home.select_one(".skip-to-content").get_text(strip=True) == "本文へ移動"
    assert home.select_one(".back-to-top").get_text(strip=True) == "ページの先頭へ"
    assert home.select_one(".related-pages .next-page .context").get_text(strip=True) == "次へ"
    assert home.select_one(".toc-title").get_text(strip=True) == "このページの内容"
    assert home.select_one("a.headerlink")["title"] == "この見出しへのリンク"


@pytest.mark.sphinx("html", testroot="theme-words", srcdir="theme-words-ja", confoverrides=JA,
                    freshenv=True)
def test_a_word_a_template_shows_that_nobody_translated_is_a_warning_at_its_line(
        app: Sphinx) -> None:
    app.build()
    warning = warning_at(app, str(app.srcdir / "_templates" / "page.html"), 3,
                         "the theme's words 'Frobnicate the widget' have no translation into 'ja'")
    assert "[relnotes.theme_words]" in warning
    assert len([w for w in warnings_of(app) if "theme_words" in w]) == 1, warnings_of(app)


@pytest.mark.sphinx("html", testroot="theme-words", freshenv=True)
def test_the_source_language_shows_the_themes_words_unchanged_and_unmarked(app: Sphinx) -> None:
    app.build()
    assert warnings_of(app) == []
    home = page(app, "index.html")
    assert home.select_one("input#__navigation")["aria-label"] == "Toggle site navigation sidebar"
    assert home.select_one("[aria-label='Frobnicate the widget']") is not None
    assert home.select_one("footer .copyright [lang]") is None


def test_plain_words_of_a_template_become_messages_and_template_code_is_left_alone() -> None:
    source = ('<input aria-label="Toggle it"><img alt="{{ alt }}"><svg><title>Menu</title></svg>'
              '<a>@x</a>\'s <b title="{{ _(\'Done\') }}"><i title="It\'s &quot;on&quot;">')
    assert translatable(source) == (
        '<input aria-label="{{ _("Toggle it")|e }}"><img alt="{{ alt }}">'
        '<svg><title>{{ _("Menu")|e }}</title></svg><a>@x</a>{{ _("\'s")|e }} '
        '<b title="{{ _(\'Done\') }}"><i title="{{ _("It\'s \\"on\\"")|e }}">')


def test_words_inside_a_trans_block_a_raw_block_or_a_comment_are_left_alone() -> None:
    source = ('{% trans copyright=copyright|e %}<abbr title="Copyright">C</abbr> {{ copyright }}'
              '{% endtrans %}{% raw %}<b title="Raw">{% endraw %}{# <i title="Note"> #}'
              '<u title="Shown">')
    assert translatable(source) == (
        '{% trans copyright=rn_in_source_language(copyright|e) %}<abbr title="Copyright">C</abbr>'
        ' {{ copyright }}{% endtrans %}{% raw %}<b title="Raw">{% endraw %}{# <i title="Note"> #}'
        '<u title="{{ _("Shown")|e }}">')
