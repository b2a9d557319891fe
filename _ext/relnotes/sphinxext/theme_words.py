"""The theme's words in the build's language: furo's (or any theme's) labels, titles and footer.

Furo writes some of its words as plain English in its templates: the sidebar toggles' and the
theme toggle's ``aria-label``, the icons' ``<title>``, "@pradyunsg's" in the footer. Every
template the builder loads is read through ``ThemeWordsLoader``, which turns each such word
into a message (``{{ _("...")|e }}``); the translations come from the extension's catalog
(``relnotes.po``), which ``i18n`` also gives to Sphinx's own ``sphinx`` catalog, where the
theme's other messages (Next, Back to top, Copyright, ...) are looked up, after Sphinx's own
translations and a site's. The site's files are not touched.

On a translation, every message a template the build renders can show (its ``trans`` blocks
and ``_()`` calls, and the words made messages here) must have a translation: one without is a
warning at the template's ``file:line`` (subtype ``theme_words``), so a theme upgrade that
adds an English word fails ``-W`` instead of showing English on every page.
"""

from __future__ import annotations

import gettext
import html
import json
import re
from collections.abc import Callable
from typing import Any

from docutils import nodes
from jinja2 import BaseLoader, Environment
from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.sphinxext.i18n import _, current_language, is_translation, source_language
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

#: The words furo's templates and Sphinx's HTML writer show that Sphinx's own catalogs may not
#: translate, named here so that ``pybabel extract`` keeps them in the extension's catalog
#: (``_`` is the ``relnotes`` catalog; ``i18n`` gives its translations to Sphinx's too). The
#: build warns about any word a rendered template shows that is translated nowhere.
THEME_WORDS = (
    # furo's page: the toggles, the skip link, the related pages, the table of contents
    _("Toggle site navigation sidebar"), _("Toggle table of contents sidebar"),
    _("Toggle Light / Dark / Auto color theme"), _("Skip to content"), _("Back to top"),
    _("Next"), _("Previous"), _("Home"), _("On this page"), _("Edit this page"),
    _("View this page"), _("View sources"), _("Breadcrumb"),
    # the footer
    _('<a href="%(path)s">Copyright</a> &#169; %(copyright)s'),
    _("Copyright &#169; %(copyright)s"), _("Made with "),
    _('<a href="https://www.sphinx-doc.org/">Sphinx</a> and '), _("'s"),
    _('\n            <a href="https://github.com/pradyunsg/furo">Furo</a>\n            '),
    _("Last updated on %(last_updated)s"), _("On Read the Docs"), _("On GitHub"),
    # the icons' titles
    _("Menu"), _("Expand"), _("Light mode"), _("Dark mode"),
    _("Auto light/dark, in light mode"), _("Auto light/dark, in dark mode"),
    # the sidebar, the search page, the indices
    _("Logo"), _("Light Logo"), _("Dark Logo"), _("versions"), _("Versions"), _("Downloads"),
    _("Project Home"), _("Builds"),
    _("Please activate JavaScript to enable the search functionality."),
    _("Index &ndash; %(key)s"),
    # Sphinx's basic theme and alabaster (Sphinx's default), for sites that use them
    _("Index &#x2013; %(key)s"), _("Related"), _("Main"),
    _("&#169; %(copyright_prefix)s %(copyright)s."),
    _('Created using <a href="https://www.sphinx-doc.org/">Sphinx</a> %(sphinx_version)s.'),
    _("source link"), _("Donate"), _("Previous document"), _("Next document"), _("Page source"),
    _("Fork me on GitHub"), _("Related Topics"), _("Documentation overview"),
    # Sphinx's HTML writer: the permalinks' titles
    _("Link to this heading"), _("Link to this table"), _("Link to this code"),
    _("Link to this image"), _("Link to this definition"),
)

# An attribute a reader hears or sees, holding a plain English word (no template code).
_ATTRIBUTE = re.compile(r'\b(aria-label|title|alt|placeholder)="([A-Za-z][^"{}<>%]*)"')
# An SVG icon's title.
_SVG_TITLE = re.compile(r"<title>([A-Za-z][^<{}%]*)</title>")
# Furo's footer: "<a ...>@pradyunsg</a>'s" (the possessive is not in a trans block).
_POSSESSIVE = re.compile(r"(</a>)('s)(\s)")
# The copyright statement is the site's words, in its source language: marked as such.
_COPYRIGHT = "copyright=copyright|e"


def _message(text: str) -> str:
    return "{{ _(" + _jinja_string(text) + ")|e }}"


def _jinja_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Where the words are left as they are: a trans block is one message already (and may hold no
# expression), a raw block is not template code, a comment is not shown.
_UNTOUCHED = re.compile(r"({%-?\s*(trans|raw)\b.*?{%-?\s*end\2\s*-?%}|{#.*?#})", re.DOTALL)


def translatable(source: str) -> str:
    """A template's source with its plain English words turned into messages."""
    parts = _UNTOUCHED.split(source)
    # split() gives text, then each match's two groups: the untouched block and its keyword.
    out = []
    for index in range(0, len(parts), 3):
        out.append(_words_to_messages(parts[index]))
        if index + 1 < len(parts):
            block = parts[index + 1]
            out.append(block.replace(_COPYRIGHT, "copyright=rn_in_source_language(copyright|e)"))
    return "".join(out)


def _words_to_messages(source: str) -> str:
    # An attribute's words as the reader gets them (entities decoded); |e escapes them again.
    source = _ATTRIBUTE.sub(
        lambda m: f'{m.group(1)}="{_message(html.unescape(m.group(2)))}"', source)
    source = _SVG_TITLE.sub(lambda m: f"<title>{_message(m.group(1))}</title>", source)
    return _POSSESSIVE.sub(lambda m: m.group(1) + _message(m.group(2)) + m.group(3), source)


def template_messages(environment: Environment, source: str) -> list[tuple[int, str]]:
    """(line, message) for every message a template can show."""
    found: list[tuple[int, str]] = []
    for line, _function, message in environment.extract_translations(  # type: ignore[attr-defined]
            environment.parse(source)):
        messages = message if isinstance(message, tuple) else (message,)
        found.extend((line, str(text)) for text in messages if text)
    return found


class ThemeWordsLoader(BaseLoader):
    """One of the builder's template loaders, its templates' plain words made messages."""

    def __init__(self, inner: BaseLoader, check: Callable[[Environment, str, str], None]) -> None:
        self.inner = inner
        self.check = check

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        patched = translatable(source)
        self.check(environment, patched, filename or template)
        return patched, filename, uptodate


def translated(translator: gettext.NullTranslations, message: str) -> bool:
    """Some catalog of the chain has the message (a name may translate to itself)."""
    found: gettext.NullTranslations | None = translator
    while found is not None:
        if message in getattr(found, "_catalog", {}):
            return True
        found = getattr(found, "_fallback", None)
    return False


class MissingWords:
    """Warns once per template and message that the build's language does not translate."""

    def __init__(self, app: Sphinx) -> None:
        self.app = app
        self.seen: set[str] = set()

    def __call__(self, environment: Environment, source: str, filename: str) -> None:
        if filename in self.seen:
            return
        self.seen.add(filename)
        language = current_language(self.app.config)
        for line, message in template_messages(environment, source):
            if translated(self.app.translator, message):
                continue
            location = nodes.Element()  # a template file, not a docname
            location.source, location.line = filename, line
            logger.warning(
                f"the theme's words {message!r} have no translation into {language!r}: add them "
                "to the extension's catalog (locale/<language>/LC_MESSAGES/relnotes.po)",
                location=location, type=WARNING_TYPE, subtype=Subtype.THEME_WORDS)


def _wrap_loaders(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    loaders = getattr(templates, "loaders", None)
    if not isinstance(loaders, list):
        return  # not a builder rendering Sphinx's templates
    check = MissingWords(app) if is_translation(app.config) else _no_check
    templates.loaders = [ThemeWordsLoader(loader, check) for loader in loaders]  # type: ignore[union-attr]
    # A global, not page context: a template rendered outside a page has it too.
    language = source_language(app.config) if is_translation(app.config) else None
    templates.environment.globals["rn_in_source_language"] = in_source_language(language)  # type: ignore[union-attr]


def _no_check(environment: Environment, source: str, filename: str) -> None:
    pass


#: Sphinx's search script's count of results (singular and plural keys, as its ``ngettext``
#: looks them up), which a language's own script catalog may leave empty (Japanese does: the
#: search page then says nothing after a search).
SEARCH_COUNT = ("Search finished, found one page matching the search query.",
                "Search finished, found ${resultCount} pages matching the search query.")
_SEARCH_COUNT_WORDS = (_("Search finished, found one page matching the search query."),
                       _("Search finished, found ${resultCount} pages matching the search query."))


def search_count_words(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                       doctree: nodes.document | None) -> None:
    """On a translation's search page, after Sphinx's script catalog: the count of results
    from the extension's catalog, a form per plural index of the language (a language with one
    form, as Japanese, says the count in every case)."""
    if pagename != "search" or not is_translation(app.config):
        return
    one, many = (str(word) for word in _SEARCH_COUNT_WORDS)
    if (one, many) == SEARCH_COUNT:
        return  # not translated: Sphinx's own words stand
    from babel.messages.plurals import get_plural

    count = get_plural(current_language(app.config)).num_plurals
    forms = [many] if count == 1 else [one] + [many] * (count - 1)
    words = json.dumps({SEARCH_COUNT[0]: forms}, ensure_ascii=False).replace("</", "<\\/")
    app.add_js_file(None, body=f"Object.assign(Documentation.TRANSLATIONS, {words});",
                    priority=900)


def in_source_language(language: str | None) -> Callable[[Any], Any]:
    """``rn_in_source_language(text)`` for templates: the site's own words (its copyright
    statement) marked as being in the source language on a translation (``language``)."""
    from markupsafe import Markup  # Jinja's own dependency

    def marked(text: Any) -> Any:
        if language is None or not str(text):
            return text
        return Markup('<span lang="{}">{}</span>').format(language, Markup(str(text)))

    return marked


def setup_theme_words(app: Sphinx) -> None:
    # After the HTML builder made its template loaders (builder init, before this event).
    app.connect("builder-inited", _wrap_loaders, priority=500)
    app.connect("html-page-context", search_count_words, priority=500)

