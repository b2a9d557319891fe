"""What a hosted site needs beyond its pages: per-language base URLs, robots.txt, and theme
markup fixed for assistive technology.

Canonical links, sitemap.xml, OpenGraph tags and the 404 page come from Sphinx
(``html_baseurl``), sphinx-sitemap, sphinxext-opengraph and sphinx-notfound-page; this module
points each of them at the language being built, so the ``ja/`` site names ``ja/`` URLs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.config import Config

from relnotes.sphinxext.i18n import (
    _,
    current_language,
    is_translation,
    site_languages,
    source_language,
)
from relnotes.sphinxext.output import write_if_changed

# Base URLs other extensions read; each gains "<language>/" in a translation's build.
BASE_URL_OPTIONS = ("html_baseurl", "ogp_site_url")


def language_base_urls(app: Sphinx, config: Config) -> None:
    base = str(config.html_baseurl or "")
    if base and not base.endswith("/"):
        config.html_baseurl = base = base + "/"
    if is_translation(config):
        language = current_language(config)
        for name in BASE_URL_OPTIONS:
            value = getattr(config, name, None)
            if value:
                setattr(config, name, value.rstrip("/") + f"/{language}/")
    if base and hasattr(config, "notfound_urls_prefix"):
        # The 404 page links absolutely (from the host's root), so it works at any depth.
        config.notfound_urls_prefix = urlsplit(config.html_baseurl).path


#: sphinx-notfound-page's own words for its page (its default ``notfound_context``).
NOT_FOUND_TITLE = "Page not found"
NOT_FOUND_TEXT = "Unfortunately we couldn't find the content you were looking for."


def not_found_words(app: Sphinx, config: Config) -> None:
    """The 404 page in the build's language, unless the site wrote its own words for it."""
    context = getattr(config, "notfound_context", None)
    default = {"title": NOT_FOUND_TITLE, "body": f"<h1>{NOT_FOUND_TITLE}</h1>\n\n{NOT_FOUND_TEXT}"}
    if context != default:
        return
    title = html.escape(str(_("Page not found")))
    text = html.escape(str(_("Unfortunately we couldn't find the content you were looking for.")))
    config.notfound_context = {"title": title, "body": f"<h1>{title}</h1>\n\n<p>{text}</p>"}


def write_robots_txt(app: Sphinx, exception: Exception | None) -> None:
    """robots.txt at the site root (the source language's build), naming every sitemap."""
    if exception is not None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    if is_translation(app.config):
        return
    lines = ["User-agent: *", "Allow: /", "Disallow: /bz/"]
    base = str(app.config.html_baseurl or "")
    sitemap = getattr(app.config, "sitemap_filename", None)
    if base and sitemap:
        lines.append("")
        for language in site_languages(app.config):
            prefix = "" if language == source_language(app.config) else f"{language}/"
            lines.append(f"Sitemap: {base}{prefix}{sitemap}")
    write_if_changed(Path(app.outdir) / "robots.txt", "\n".join(lines) + "\n")


# A toctree caption is a heading to assistive technology; ARIA requires a level with the role.
_CAPTION = re.compile(r'(<p class="caption[^"]*" role="heading")(?! aria-level)')


def heading_levels(html: str) -> str:
    return _CAPTION.sub(r'\1 aria-level="2"', html)


# A link relative to the page: not a scheme (https:, mailto:), not from the root, not a fragment.
_RELATIVE_HREF = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"]*)"')


def absolute_links(html: str, prefix: str) -> str:
    """Every relative link of ``html`` made absolute from ``prefix`` (the site's root path)."""
    return _RELATIVE_HREF.sub(lambda match: f'href="{prefix}{match.group(1)}"', html)


def fix_caption_roles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: object) -> None:
    if "body" in context:
        context["body"] = heading_levels(context["body"])
    toctree: Callable[..., Any] | None = context.get("toctree")
    if toctree is None:
        return
    # The 404 page is served at any depth: its navigation links from the host's root (the
    # notfound extension's own rewrite leaves the sidebar's links relative).
    not_found = pagename == getattr(app.config, "notfound_pagename", None)
    prefix = urlsplit(str(app.config.html_baseurl or "/")).path or "/"

    def with_levels(**kwargs: Any) -> Any:
        original = toctree(**kwargs)
        rendered = heading_levels(str(original))
        if not_found:
            rendered = absolute_links(rendered, prefix)
        return type(original)(rendered)  # keep Markup as Markup

    context["toctree"] = with_levels


# The end of a sentence: a full stop (or a Japanese one) followed by a space or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|(?<=。)")


def first_sentence(text: str) -> str:
    """The first sentence of ``text``, its whitespace collapsed."""
    text = " ".join(text.split())
    end = _SENTENCE_END.search(text)
    return text[:end.start()].strip() if end else text


def symptom_description(doctree: nodes.document | None) -> str | None:
    """The first sentence of the page's "Symptom" section: what a search result should say."""
    if doctree is None:
        return None
    for section in doctree.findall(nodes.section):
        if "symptom" in section["ids"]:
            paragraph = next(iter(section.findall(nodes.paragraph)), None)
            if paragraph is not None and paragraph.astext().strip():
                return first_sentence(paragraph.astext())
    return None


def describe_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: nodes.document | None) -> None:
    """``meta description`` and ``og:description`` from the symptom's first sentence, instead
    of the page's first words (an issue page starts with its field list)."""
    description = symptom_description(doctree)
    if description is None:
        return
    meta = context.get("meta")
    if meta is None:
        context["meta"] = meta = {}
    meta["og:description"] = description  # sphinxext-opengraph takes og:* fields as given
    # sphinxext-opengraph adds no description of its own when the page already has one.
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<meta name="description" content="{html.escape(description)}" />')


def setup_hosting(app: Sphinx) -> None:
    # After config.py's validation (100), before extensions read the base URLs (builder-inited).
    app.connect("config-inited", language_base_urls, priority=300)
    # After i18n registered the extension's catalog (200).
    app.connect("config-inited", not_found_words, priority=300)
    app.connect("build-finished", write_robots_txt, priority=500)
    # After navigation.py bounds toctree() (400), before furo renders its sidebar with it (500).
    app.connect("html-page-context", fix_caption_roles, priority=450)
    # Before sphinxext-opengraph (500), which reads the page's meta fields and description.
    app.connect("html-page-context", describe_page, priority=460)
