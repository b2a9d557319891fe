"""Which static files a page loads, and one copy of them for every language.

- Sphinx's search scripts (``doctools.js``, ``searchtools.js``, the language's stemmer and
  translations, ``documentation_options.js``, ``sphinx_highlight.js``) are loaded by the search
  page only: no other page of this theme uses them (the sidebar's search box is a plain form).
  A page a reader reaches from the search page highlights the searched words all the same:
  its head names the scripts ``sphinx_highlight.js`` needs (``HIGHLIGHT_SCRIPTS``, as this
  page would have linked them), and ``relnotes.js`` loads them only when there are words to
  highlight (``?highlight=`` in the URL, or the terms the search page left for the next page).
- A translation is built into ``<language>/`` beside the source language's build. Each of its
  static files that is byte for byte the source build's (the theme, Pygments, this extension's
  CSS and scripts: everything but the language's own) is linked from the source build's
  ``_static/`` and removed from the translation's, so both languages share one copy and a
  reader's cache serves it for both.
- ``relnotes-tables.css`` (the tables of issues and snippets: overview, compatibility and
  snippets pages, a component's issue list) is loaded by the pages that show one of them only.
- furo's ``furo-extensions.css`` styles only Read the Docs' flyout and other extensions
  (sphinx-copybutton, sphinx-design, sphinx-panels): linked only when one of them is loaded.
- furo's inline icon sprite comes from this extension's ``templates/partials/icons.html``:
  without whitespace, and with the edit and view-source icons only on pages that show those
  buttons.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from relnotes.sphinxext.i18n import current_language, is_translation

#: Loaded by the search page only.
SEARCH_SCRIPTS = frozenset({
    "_static/doctools.js", "_static/searchtools.js", "_static/language_data.js",
    "_static/translations.js", "_static/documentation_options.js", "_static/sphinx_highlight.js",
})

#: What ``sphinx_highlight.js`` needs, in the order the scripts must run (the translations
#: only in a language that has them).
HIGHLIGHT_SCRIPTS = ("_static/documentation_options.js", "_static/doctools.js",
                     "_static/translations.js", "_static/sphinx_highlight.js")
#: The element of a page's head that lists them for relnotes.js.
HIGHLIGHT_SCRIPTS_ID = "relnotes-highlight-scripts"

#: What furo-extensions.css styles; without one of these loaded, no page needs it.
THEME_EXTENSION_STYLES = "_static/styles/furo-extensions.css"
STYLED_EXTENSIONS = frozenset({"sphinx_copybutton", "sphinx_design", "sphinx_panels"})

TEMPLATES = Path(__file__).parent / "templates"

#: The tables' stylesheet, and the classes of the tables it styles (every rule of it is about
#: an element with one of these classes or inside one: tests/test_page_weight.py checks it).
TABLE_STYLES = "relnotes-tables.css"
TABLE_CLASSES = ("rn-stack-table", "rn-overview", "rn-overview-counts", "rn-overview-filters",
                 "rn-overview-table", "rn-issue-list", "rn-compat-issue", "rn-snippet-table",
                 "rn-compat-table")
_TABLE_CLASS = re.compile(r'\sclass="(?:[^"]*\s)?(?:' + "|".join(TABLE_CLASSES) + r')[\s"]')

_ASSET_URL = re.compile(r'((?:src|href)=")([^"]*?)(_static/[^"?]+)')
_SRC = re.compile(r'\ssrc="([^"]+)"')


def _filename(asset: Any) -> str:
    return str(getattr(asset, "filename", asset) or "")


def prune_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: object) -> None:
    if pagename == "search" or "script_files" not in context:
        return
    scripts = context["script_files"]
    context["script_files"] = [script for script in scripts
                               if _filename(script) not in SEARCH_SCRIPTS]
    found = {_filename(script): script for script in scripts}
    context[_HIGHLIGHT_KEY] = [found[name] for name in HIGHLIGHT_SCRIPTS if name in found]


_HIGHLIGHT_KEY = "relnotes_highlight_scripts"


def name_highlight_scripts(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: object) -> None:
    """The URLs of the scripts ``prune_scripts`` left out that highlighting needs, as this
    page would have linked them (shared with the source language's build or not), in a JSON
    list in the page's head."""
    scripts = context.pop(_HIGHLIGHT_KEY, None)
    tag: Callable[[Any], str] | None = context.get("js_tag")
    if not scripts or tag is None or not any(
            _filename(script) == HIGHLIGHT_SCRIPTS[-1] for script in scripts):
        return
    urls = [match.group(1) for match in (_SRC.search(tag(script)) for script in scripts) if match]
    # "</" cannot occur in the JSON of relative URLs, but is escaped all the same.
    listing = json.dumps([html.unescape(url) for url in urls]).replace("</", "<\\/")
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<script type="application/json" id="{HIGHLIGHT_SCRIPTS_ID}">'
                           + listing + "</script>")


def add_table_styles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                     doctree: object) -> None:
    if _TABLE_CLASS.search(str(context.get("body", ""))):
        app.add_css_file(TABLE_STYLES)  # this page only: Sphinx restores the list after it


def prune_stylesheets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: object) -> None:
    if "css_files" not in context or STYLED_EXTENSIONS & set(app.extensions):
        return
    # In place: the builder's own list, which it restores after the page.
    context["css_files"][:] = [css for css in context["css_files"]
                               if _filename(css) != THEME_EXTENSION_STYLES]


def add_templates(app: Sphinx, config: Config) -> None:
    # After the site's own templates, which still override these. A new list: the default
    # one is shared by every Sphinx application of the process.
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path = [*config.templates_path, str(TEMPLATES)]


class SharedAssets:
    """A translation's view of the source build's ``_static``: which files it can share."""

    def __init__(self, outdir: Path, language: str) -> None:
        self.outdir = outdir
        self.language = language
        # The translation is built into "<source outdir>/<language>/".
        self.source = outdir.parent if outdir.name == language else None
        self.decided: dict[str, bool] = {}
        self.rewritten: dict[str, str] = {}  # the same tags recur on every page of a depth

    def shared(self, relative: str) -> bool:
        """The source build has this very file (same bytes): link it there."""
        if relative not in self.decided:
            mine = self.outdir / relative
            theirs = self.source / relative if self.source is not None else None
            self.decided[relative] = (
                theirs is not None and mine.is_file() and theirs.is_file()
                and mine.read_bytes() == theirs.read_bytes())
        return self.decided[relative]

    def rewrite(self, tag: str) -> str:
        """The tag's ``_static/`` URL pointed at the source build's copy when it is shared."""
        if tag not in self.rewritten:
            self.rewritten[tag] = _ASSET_URL.sub(self._one, tag)
        return self.rewritten[tag]

    def rewrite_url(self, url: str) -> str:
        """One URL, as ``rewrite`` points it."""
        return self.rewrite(f'src="{url}"').removeprefix('src="').removesuffix('"')

    def _one(self, match: re.Match[str]) -> str:
        start, prefix, path = match.groups()
        if not self.shared(path):
            return match.group(0)
        # The 404 page links from the host's root; every other page relatively.
        prefix = (prefix.removesuffix(f"{self.language}/") if prefix.startswith("/")
                  else "../" + prefix)
        return f"{start}{prefix}{path}"

    def remove_shared(self) -> None:
        """Every file of the translation's ``_static`` the source build has too (decided by the
        same rule as the links, so pages written by parallel workers agree)."""
        static = self.outdir / "_static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            relative = path.relative_to(self.outdir).as_posix()
            if path.is_file() and self.shared(relative):
                path.unlink()
        for folder in sorted(static.rglob("*"), reverse=True) if static.is_dir() else ():
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def share_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: object) -> None:
    if not is_translation(app.config):
        return
    assets: SharedAssets | None = getattr(app, "_relnotes_assets", None)
    if assets is None:
        assets = SharedAssets(Path(app.outdir), current_language(app.config))
        app._relnotes_assets = assets  # type: ignore[attr-defined]
    for name in ("css_tag", "js_tag"):
        tag: Callable[[Any], str] | None = context.get(name)
        if tag is not None:
            context[name] = _rewritten(tag, assets)
    for name in ("favicon_url", "logo_url"):  # computed by Sphinx, not through pathto
        if context.get(name):
            context[name] = assets.rewrite_url(str(context[name]))
    pathto: Callable[..., str] | None = context.get("pathto")
    if pathto is not None:
        # Templates that link a static file themselves (the search page's scripts).
        context["pathto"] = _rewritten_pathto(pathto, assets)


def _rewritten(tag: Callable[[Any], str], assets: SharedAssets) -> Callable[[Any], str]:
    def rewritten(asset: Any) -> str:
        return assets.rewrite(tag(asset))
    return rewritten


def _rewritten_pathto(pathto: Callable[..., str], assets: SharedAssets) -> Callable[..., str]:
    def rewritten(otheruri: str, *args: Any, **kwargs: Any) -> str:
        url = pathto(otheruri, *args, **kwargs)
        resource = bool(args[0]) if args else bool(kwargs.get("resource", False))
        if not resource or not otheruri.startswith("_static/"):
            return url
        return assets.rewrite_url(url)
    return rewritten


def remove_shared_copies(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and is_translation(app.config) and app.builder.format == "html":
        SharedAssets(Path(app.outdir), current_language(app.config)).remove_shared()


def setup_assets(app: Sphinx) -> None:
    app.connect("config-inited", add_templates, priority=800)
    app.connect("html-page-context", prune_scripts, priority=500)
    # Before share_assets (900) points the translation's tags at the source build's copy.
    app.connect("html-page-context", add_table_styles, priority=500)
    # After furo (500) lists its stylesheets.
    app.connect("html-page-context", prune_stylesheets, priority=510)
    # After sphinx-notfound-page (400) replaces the 404 page's tags, before the theme renders.
    app.connect("html-page-context", share_assets, priority=900)
    # After share_assets (900): the scripts' URLs as the page links them.
    app.connect("html-page-context", name_highlight_scripts, priority=950)
    app.connect("build-finished", remove_shared_copies, priority=500)
