"""The site in more than one language: the extension's own messages, the "not translated" banner,
the language switcher, and warnings for broken catalogs.

The source language is built at the site root, every other language of relnotes.toml's ``languages``
under ``<language>/`` with ``-D language=<language>``. Page content is translated with Sphinx's
gettext catalogs (``locale_dirs``); what the extension itself writes (badges, labels, the
overview) comes from the ``relnotes`` catalog shipped in this package, compiled at build time.
"""

from __future__ import annotations

import gettext
import html
import json
import posixpath
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import locale as sphinx_locale
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.locale import get_translation
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages

from relnotes.sphinxext.catalogs import CatalogReadError, check_catalog, compile_catalog
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

MESSAGE_CATALOG = "relnotes"
SPHINX_CATALOG = "sphinx"  # Sphinx's own messages, the theme's among them
PACKAGE_LOCALE_DIR = Path(__file__).parent / "locale"
_ = get_translation(MESSAGE_CATALOG)

# How each language names itself in the switcher.
LANGUAGE_NAMES = {"en": "English", "ja": "日本語"}


def site_languages(config: Config) -> tuple[str, ...]:
    return relnotes_config(config).languages


def source_language(config: Config) -> str:
    return site_languages(config)[0]


def current_language(config: Config) -> str:
    return str(config.language or "en")


def is_translation(config: Config) -> bool:
    return current_language(config) != source_language(config)


# -- the extension's messages -------------------------------------------------------------


def kind_label(kind: str) -> str:
    """How readers see an issue's kind (a ``Kind`` value): the tracker's name of the type."""
    labels = {
        "feature": _("Feature"),
        "enhancement": _("Enhancement"),
        "rebase": _("Rebase"),
        "bug-fix": _("Bug Fix"),
        "cve": _("CVE"),
        "technology-preview": _("Technology Preview"),
        "developer-preview": _("Developer Preview"),
        "deprecated-functionality": _("Deprecated Functionality"),
        "removed-functionality": _("Removed Functionality"),
        "known-issue": _("Known Issue"),
    }
    return str(labels.get(kind, kind))


def kind_heading(kind: str) -> str:
    """The heading of a kind's section in a release's notes (a ``Kind`` value)."""
    headings = {
        "feature": _("New features"),
        "enhancement": _("Enhancements"),
        "rebase": _("Rebases"),
        "bug-fix": _("Bug fixes"),
        "cve": _("Security fixes (CVE)"),
        "technology-preview": _("Technology Previews"),
        "developer-preview": _("Developer Previews"),
        "deprecated-functionality": _("Deprecated functionality"),
        "removed-functionality": _("Removed functionality"),
        "known-issue": _("Known issues"),
    }
    return str(headings.get(kind, kind))


def _register_catalog(app: Sphinx, config: Config) -> None:
    """Compile the package's catalog for this language into the build directory and load it.

    Compiled at build time so that the .mo never lags behind the committed .po.
    """
    # Sphinx keeps translators per process and merges new ones into old: a build in another
    # language earlier in the same process (tests, autobuild) must not leave its words here.
    sphinx_locale.translators.pop(("general", MESSAGE_CATALOG), None)
    language = current_language(config)
    po = PACKAGE_LOCALE_DIR / language / "LC_MESSAGES" / f"{MESSAGE_CATALOG}.po"
    if not po.is_file():
        return
    compiled = Path(app.doctreedir) / "relnotes-locale"
    folder = compiled / language / "LC_MESSAGES"
    try:
        compile_catalog(po, folder / f"{MESSAGE_CATALOG}.mo")
    except CatalogReadError as error:
        _warn(str(error), po, 1)
        return
    app.add_message_catalog(MESSAGE_CATALOG, str(compiled))
    # The theme's words (theme_words.py) are looked up in Sphinx's own catalog: the same
    # translations back it, after the site's catalogs and Sphinx's (which it only completes).
    shutil.copyfile(folder / f"{MESSAGE_CATALOG}.mo", folder / f"{SPHINX_CATALOG}.mo")
    app.translator, _found = sphinx_locale.init([str(compiled)], language, SPHINX_CATALOG)


def _script_messages(app: Sphinx, config: Config) -> None:
    """The words relnotes.js shows, in this build's language, from the same catalog."""
    messages = {"copy": str(_("copy")), "copied": str(_("copied")),
                "copyTitle": str(_("Copy the file's exact contents"))}
    app.add_js_file(None, body=f"window.RELNOTES_MESSAGES = {json.dumps(messages, ensure_ascii=False)};")


# -- broken catalog entries ---------------------------------------------------------------


def catalog_files(app: Sphinx) -> list[Path]:
    """The catalogs this build reads: the package's and the project's, for its language."""
    language = current_language(app.config)
    found = [PACKAGE_LOCALE_DIR / language / "LC_MESSAGES" / f"{MESSAGE_CATALOG}.po"]
    for directory in app.config.locale_dirs:
        root = Path(app.srcdir, directory, language, "LC_MESSAGES")
        if root.is_dir():
            found.extend(sorted(root.rglob("*.po")))
    return [path for path in found if path.is_file()]


def check_catalogs(app: Sphinx) -> None:
    if not is_translation(app.config):
        return
    for path in catalog_files(app):
        try:
            problems = check_catalog(path)
        except CatalogReadError as error:
            _warn(str(error), path, 1)
            continue
        for problem in problems:
            _warn(problem.message, problem.path, problem.lineno)


def _warn(message: str, path: Path, lineno: int) -> None:
    location = nodes.Element()  # a plain file location, not a docname
    location.source, location.line = str(path), lineno
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=Subtype.CATALOG)


# -- the banner on untranslated pages -----------------------------------------------------


class language_banner(nodes.General, nodes.Element):
    """The portal's notice that the page below is not (fully) in the selected language."""


def untranslated_messages(document: nodes.document, catalog: dict[str, str]) -> list[str]:
    """The page's messages that the catalog does not translate (an identical text counts)."""
    return [message for _node, message in extract_messages(document) if not catalog.get(message)]


def page_catalog(env: BuildEnvironment, docname: str) -> dict[str, str]:
    """The page's compiled catalog as Sphinx's Locale transform reads it (compiled before reading)."""
    domain = docname_to_domain(docname, env.config.gettext_compact)
    merged: dict[str, str] = {}
    for directory in reversed(env.config.locale_dirs):
        found = gettext.translation(domain, localedir=str(Path(env.srcdir, directory)),
                                    languages=[current_language(env.config)], fallback=True)
        merged |= getattr(found, "_catalog", {})
    return merged


class KeepSnippetsUntranslated(SphinxTransform):
    """Snippets are never translatable, so every language shows the same verified bytes.

    Runs after Sphinx's ExtraTranslatableNodes (10), which marks every literal block
    translatable when ``gettext_additional_targets`` names them, and before Locale (20).
    """

    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        for block in self.document.findall(nodes.literal_block):
            if "rn-snippet-code" in block["classes"]:
                block["translatable"] = False


#: The class of an element left in the source language on a translated page; the page gets
#: ``lang`` on it (``mark_source_language``), so a screen reader reads it with the right voice.
SOURCE_LANGUAGE_CLASS = "rn-source-language"
_UNTRANSLATED = "rn-untranslated"  # page metadata: the page is not fully translated
_TRANSLATED_IN = "rn-translated-in"  # page metadata (source build): languages it is complete in


def po_translations(srcdir: Path, locale_dirs: list[str], docname: str, language: str,
                    compact: bool | str) -> dict[str, str]:
    """A page's translated messages in ``language`` from its .po catalog (no fuzzy entries):
    what the source language's build knows of a translation it does not build."""
    from babel.messages.pofile import read_po

    domain = docname_to_domain(docname, compact)
    found: dict[str, str] = {}
    for directory in locale_dirs:
        path = Path(srcdir, directory, language, "LC_MESSAGES", f"{domain}.po")
        if path.is_file():
            with path.open("rb") as stream:
                found |= {str(m.id): str(m.string) for m in read_po(stream)
                          if m.id and m.string and not m.fuzzy}
    return found


class UntranslatedBanner(SphinxTransform):
    """On a translation: marks every message its catalog does not translate as being in the
    source language, and puts the banner inside the page's first section, after its title.
    In the source language's build: notes the languages the page is completely translated in
    (the others are not announced as alternates).

    Runs just before Sphinx's Locale transform (20), while the page still holds its source
    messages; afterwards a translated message is no longer the one the catalog is keyed by.
    """

    default_priority = 19

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        if not is_translation(self.config):
            complete = []
            for language in site_languages(self.config)[1:]:
                catalog = po_translations(Path(self.env.srcdir), list(self.config.locale_dirs),
                                          docname, language, self.config.gettext_compact)
                # No catalog: nothing is translated (and the page need not be walked).
                if catalog and not untranslated_messages(self.document, catalog):
                    complete.append(language)
            self.env.metadata[docname][_TRANSLATED_IN] = complete
            return
        catalog = page_catalog(self.env, docname)
        untranslated = [node for node, message in extract_messages(self.document)
                        if not catalog.get(message)]
        if not untranslated and catalog:
            return
        source = source_language(self.config)
        for node in untranslated:
            node["classes"].append(SOURCE_LANGUAGE_CLASS)
            if isinstance(node, nodes.title):
                _mark_title_words(node, source)
        self.env.metadata[docname][_UNTRANSLATED] = True
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is not None and section.children and isinstance(section[0], nodes.title):
            section.insert(1, language_banner())
        else:
            self.document.insert(0, language_banner())


def _mark_title_words(title: nodes.title, language: str) -> None:
    """A title's words in an element of their language: the page's title and headings are
    copied from here (their children, not the title itself) into the sidebar, the table of
    contents, the next and previous links and every index, where the writer gives the
    element ``lang`` (docutils' ``language-`` class)."""
    words = nodes.inline("", "", *title.children, classes=[f"language-{language}"])
    title.children = []
    title += words


def _visit_banner(translator: Any, node: language_banner) -> None:
    text = html.escape(str(_("This content is not available in the selected language.")))
    builder = translator.builder
    source = source_language(builder.config)
    links = dict(language_links(builder, builder.current_docname))
    link = ""
    if source in links:
        name = html.escape(LANGUAGE_NAMES.get(source, source))
        link = (f' <a href="{html.escape(links[source])}" hreflang="{source}" lang="{source}">'
                f"{name}</a>")
    translator.body.append(f'<div class="rn-language-banner" role="note"><p>{text}{link}</p></div>\n')


def _depart_banner(translator: Any, node: language_banner) -> None:
    pass


_MARKED = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s[^>]*?)?\sclass="[^"]*\b'
                     + SOURCE_LANGUAGE_CLASS + r'\b[^"]*")')


def mark_source_language(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: nodes.document | None) -> None:
    """On a translation: ``lang`` on each element left in the source language; an untranslated
    page names its source-language original as canonical and stays out of the sitemap."""
    config = app.config
    if not is_translation(config) or doctree is None:
        return
    if "body" in context:
        context["body"] = marked_source_language(config, context["body"])
    if not app.env.metadata.get(pagename, {}).get(_UNTRANSLATED):
        return
    base = str(config.html_baseurl or "")
    if base:
        original = base.removesuffix(f"{current_language(config)}/")
        context["pageurl"] = original + app.builder.get_target_uri(pagename)
    exclude_from_sitemap(app, pagename)


def marked_source_language(config: Config, body: str) -> str:
    """On a translation, ``lang`` on each element of ``body`` left in the source language."""
    if not is_translation(config):
        return body
    return _MARKED.sub(rf'<\1 lang="{source_language(config)}"\2', body)


def exclude_from_sitemap(app: Sphinx, pagename: str) -> None:
    """Leave the page being written out of sphinx-sitemap's list; call at a priority below 500."""
    excludes = getattr(app.config, "sitemap_excludes", None)
    if isinstance(excludes, list):
        # sphinx-sitemap (500) reads the list for this page after this handler (480); it is
        # put back afterwards (restore_sitemap_excludes, 520), so it never grows with the site.
        app._relnotes_sitemap_excludes = excludes  # type: ignore[attr-defined]
        app.config.sitemap_excludes = [*excludes, app.builder.get_target_uri(pagename)]


def restore_sitemap_excludes(app: Sphinx, pagename: str, templatename: str,
                             context: dict[str, Any], doctree: nodes.document | None) -> None:
    saved = getattr(app, "_relnotes_sitemap_excludes", None)
    if saved is not None:
        app.config.sitemap_excludes = saved
        app._relnotes_sitemap_excludes = None  # type: ignore[attr-defined]


def site_title(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
               doctree: nodes.document | None) -> None:
    """On a translation, the site's title as the home page's catalog translates it (the home
    page's heading is the same words)."""
    if not is_translation(app.config) or not context.get("docstitle"):
        return
    titles: dict[str, str] | None = getattr(app, "_relnotes_titles", None)
    if titles is None:  # once per build: the home page's catalog
        titles = page_catalog(app.env, app.config.root_doc)
        app._relnotes_titles = titles  # type: ignore[attr-defined]
    translated = titles.get(str(context["docstitle"]))
    if translated:
        context["docstitle"] = translated


# -- the language switcher ----------------------------------------------------------------


def language_links(builder: Builder, pagename: str) -> list[tuple[str, str]]:
    """(language, relative URL of the same page in it) for every other language of the site."""
    config = builder.config
    here = current_language(config)
    target = builder.get_target_uri(pagename)
    up = "../" * pagename.count("/")
    if is_translation(config):
        up += "../"
    if pagename == getattr(config, "notfound_pagename", None):
        up = site_root_path(config)  # the 404 page is served at any depth: link absolutely
    links = []
    for language in site_languages(config):
        if language == here:
            continue
        prefix = "" if language == source_language(config) else f"{language}/"
        url = up + prefix + target
        links.append((language, url if url.startswith("/") else posixpath.normpath(url)))
    return links


def site_root_path(config: Config) -> str:
    """The URL path of the source language's root, from ``html_baseurl`` (``/`` without one)."""
    path = urlsplit(str(config.html_baseurl or "/")).path or "/"
    if is_translation(config):
        path = path.removesuffix(f"{current_language(config)}/")
    return path if path.endswith("/") else path + "/"


def add_switcher(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    """A link to the same page in each other language, on every page the theme renders.

    Furo shows its ``announcement`` at the top of every page type (indices, search and the
    404 page have no ``body``); other themes get the switcher at the top of the body.
    """
    links = language_links(app.builder, pagename)
    if not links:
        return
    items = "".join(
        f'<a href="{html.escape(url)}" hreflang="{language}" lang="{language}">'
        f"{html.escape(LANGUAGE_NAMES.get(language, language))}</a>"
        for language, url in links
    )
    label = html.escape(str(_("Language")))
    switcher = f'<nav class="rn-language-switcher" aria-label="{label}">{items}</nav>'
    if "theme_announcement" in context:
        context["theme_announcement"] = switcher
    elif "body" in context:
        context["body"] = switcher + "\n" + context["body"]
    # Alternates: the source language, and each translation the page is complete in.
    complete = app.env.metadata.get(pagename, {}).get(_TRANSLATED_IN)
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{language}" href="{html.escape(url)}">'
        for language, url in links
        if language == source_language(app.config) or complete is None or language in complete
    )


def setup_i18n(app: Sphinx) -> None:
    # After config.py's validation (100): the language is final once the config is read.
    app.connect("config-inited", _register_catalog, priority=200)
    app.connect("config-inited", _script_messages, priority=210)
    app.connect("builder-inited", check_catalogs, priority=500)
    app.add_transform(KeepSnippetsUntranslated)
    app.add_transform(UntranslatedBanner)
    app.add_node(language_banner, html=(_visit_banner, _depart_banner),
                 text=(_skip, None), latex=(_skip, None))
    app.connect("html-page-context", add_switcher, priority=500)
    # Before sphinx-sitemap (500) reads its excludes and the theme reads pageurl.
    app.connect("html-page-context", mark_source_language, priority=480)
    app.connect("html-page-context", restore_sitemap_excludes, priority=520)
    app.connect("html-page-context", site_title, priority=480)


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode
