"""Words a translation shows in another language (the source language's), marked as such.

A translated page shows words its catalogs do not translate: untranslated pages' titles
wherever they are named, and the records' words (reasons, probes, values) inside the
extension's sentences. Each such element gets ``lang`` (docutils' ``language-`` class on a
node, or the attribute in HTML), so a screen reader reads it with the right voice. The
untranslated messages of a page itself are marked by ``i18n`` (``SOURCE_LANGUAGE_CLASS``).
"""

from __future__ import annotations

import html
import json
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

from relnotes.sphinxext.i18n import is_translation, source_language


def foreign_language(config: Config) -> str:
    """The language the records' and the source pages' words are in, when this build shows
    them inside sentences of another ("" in the source language's build)."""
    return source_language(config) if is_translation(config) else ""


def title_language(env: BuildEnvironment, docname: str) -> str:
    """The language a page's title is written in when it is not the build's (a title left
    untranslated on a translation, marked by ``i18n._mark_title_words``), else ``""``."""
    title = env.titles.get(docname)
    for node in title.findall(nodes.inline) if title is not None else ():
        for name in node["classes"]:
            if name.startswith("language-"):
                return str(name.removeprefix("language-"))
    return ""


def language_classes(language: str) -> list[str]:
    """The classes that give a docutils element ``lang`` (none for the build's language)."""
    return [f"language-{language}"] if language else []


def lang_attribute(language: str) -> str:
    """`` lang="..."`` for an HTML tag (nothing for the build's language)."""
    return f' lang="{html.escape(language)}"' if language else ""


def mark_index_titles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: nodes.document | None) -> None:
    """On a translation's domain indices: an entry's name or extra that is an untranslated page
    title is marked as being in its language (the theme writes both escaped, ``|e``, which
    leaves markup made here alone)."""
    if not is_translation(app.config) or templatename != "domainindex.html":
        return
    from markupsafe import Markup  # Jinja's own dependency

    marked = []
    for letter, entries in context.get("content", ()):
        changed = []
        for entry in entries:
            language = title_language(app.env, entry[2]) if entry[2] else ""
            if language:
                title = app.env.titles[entry[2]].astext()
                entry = tuple(Markup('<span lang="{}">{}</span>').format(language, value)
                              if index in (0, 4) and value == title else value
                              for index, value in enumerate(entry))
            changed.append(entry)
        marked.append((letter, changed))
    context["content"] = marked


#: The element of a translation's search page naming the pages whose title is in the source
#: language, for relnotes.js to mark their results.
SOURCE_LANGUAGE_PAGES_ID = "relnotes-source-language-pages"


def name_source_language_pages(app: Sphinx, pagename: str, templatename: str,
                               context: dict[str, Any], doctree: nodes.document | None) -> None:
    """On a translation's search page: the pages whose title is in the source language, so
    that their results (title and summary, written by Sphinx's search script) can be marked
    by ``relnotes-search.js``, which only this page loads."""
    if not is_translation(app.config) or pagename != "search":
        return
    pages = sorted(docname for docname in app.env.all_docs if title_language(app.env, docname))
    listing = json.dumps({"language": source_language(app.config), "pages": pages},
                         ensure_ascii=False).replace("</", "<\\/")
    context["metatags"] = (context.get("metatags", "") + f'\n<script type="application/json" '
                           f'id="{SOURCE_LANGUAGE_PAGES_ID}">{listing}</script>')
    app.add_js_file("relnotes-search.js")  # this page only (Sphinx resets the list per page)


def setup_language_marks(app: Sphinx) -> None:
    app.connect("html-page-context", mark_index_titles, priority=500)
    app.connect("html-page-context", name_source_language_pages, priority=500)
