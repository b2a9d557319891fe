"""The site in more than one language: the extension's own messages, the "not translated" banner,
the language switcher, and warnings for broken catalogs.

The source language is built at the site root, every other language of ``relnotes_languages``
under ``<language>/`` with ``-D language=<language>``. Page content is translated with Sphinx's
gettext catalogs (``locale_dirs``); what the extension itself writes (badges, labels, the
overview) comes from the ``relnotes`` catalog shipped in this package, compiled at build time.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import get_translation
from sphinx.util import logging

from relnotes.config import relnotes_config
from relnotes.catalogs import CatalogReadError, check_catalog, compile_catalog
from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

MESSAGE_CATALOG = "relnotes"
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


def _register_catalog(app: Sphinx, config: Config) -> None:
    """Compile the package's catalog for this language into the build directory and load it.

    Compiled at build time so that the .mo never lags behind the committed .po.
    """
    language = current_language(config)
    po = PACKAGE_LOCALE_DIR / language / "LC_MESSAGES" / f"{MESSAGE_CATALOG}.po"
    if not po.is_file():
        return
    compiled = Path(app.doctreedir) / "relnotes-locale"
    try:
        compile_catalog(po, compiled / language / "LC_MESSAGES" / f"{MESSAGE_CATALOG}.mo")
    except CatalogReadError as error:
        _warn(str(error), po, 1)
        return
    app.add_message_catalog(MESSAGE_CATALOG, str(compiled))


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


def page_is_translated(doctree: nodes.document) -> bool:
    """Every translatable message of the page was translated (Sphinx marks each one)."""
    flags = [node["translated"] for node in doctree.findall(nodes.Element) if "translated" in node]
    return bool(flags) and all(flags)


def add_banner(app: Sphinx, doctree: nodes.document) -> None:
    if not is_translation(app.config) or page_is_translated(doctree):
        return
    doctree.insert(0, language_banner())


def _visit_banner(translator: Any, node: language_banner) -> None:
    text = html.escape(str(_("This content is not available in the selected language.")))
    translator.body.append(f'<div class="rn-language-banner" role="note"><p>{text}</p></div>\n')


def _depart_banner(translator: Any, node: language_banner) -> None:
    pass


# -- the language switcher ----------------------------------------------------------------


def language_links(app: Sphinx, pagename: str) -> list[tuple[str, str]]:
    """(language, relative URL of the same page in it) for every other language of the site."""
    config = app.config
    here = current_language(config)
    target = app.builder.get_target_uri(pagename)
    up = "../" * pagename.count("/")
    if is_translation(config):
        up += "../"
    links = []
    for language in site_languages(config):
        if language == here:
            continue
        prefix = "" if language == source_language(config) else f"{language}/"
        links.append((language, posixpath.normpath(up + prefix + target) if up or prefix else target))
    return links


def add_switcher(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: nodes.document | None) -> None:
    links = language_links(app, pagename)
    if not links or "body" not in context:
        return
    items = "".join(
        f'<a href="{html.escape(url)}" hreflang="{language}" lang="{language}">'
        f"{html.escape(LANGUAGE_NAMES.get(language, language))}</a>"
        for language, url in links
    )
    label = html.escape(str(_("Language")))
    context["body"] = (f'<nav class="rn-language-switcher" aria-label="{label}">{items}</nav>\n'
                       + context["body"])
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{language}" href="{html.escape(url)}">'
        for language, url in links
    )


def setup_i18n(app: Sphinx) -> None:
    # After config.py's validation (100): the language is final once the config is read.
    app.connect("config-inited", _register_catalog, priority=200)
    app.connect("builder-inited", check_catalogs, priority=500)
    app.connect("doctree-read", add_banner, priority=500)
    app.add_node(language_banner, html=(_visit_banner, _depart_banner),
                 text=(_skip, None), latex=(_skip, None))
    app.connect("html-page-context", add_switcher, priority=500)


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode
