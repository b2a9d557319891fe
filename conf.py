"""Sphinx configuration of the release-notes site."""

from __future__ import annotations

project = "Technical Notes, verified"
author = "The relnotes-site authors; content adapted from Red Hat, Inc. (CC BY-SA 3.0)"
# Shown in every page's footer: the content's source and licence.
copyright = (
    "Red Hat, Inc. Content adapted from the Red Hat Enterprise Linux 5 Technical Notes, "
    "licensed CC BY-SA 3.0; this adaptation is under the same licence"
)

# relnotes gives every code block one copy button (relnotes.js): a snippet's copies the file.
extensions = [
    "relnotes.sphinxext",
    "myst_parser",
]

# source/ holds the content; conf.py sits at the root beside snippets/ and _ext/.
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
# Compact Pygments styles (furo ships the light one once and the dark one twice): vs, and
# a11y-dark, whose colours are chosen for contrast.
pygments_style = "vs"
pygments_dark_style = "a11y-dark"
html_title = "Technical Notes, verified"
html_static_path: list[str] = []
# A tiny icon, so browsers do not ask the host for a /favicon.ico it does not have.
html_favicon = "favicon.svg"
html_theme_options = {
    "footer_icons": [],
}
# Snippets, ledger, targets, topics, languages and the Bugzilla URL: relnotes.toml (read by
# the relnotes command too).

# -- the hosted site ------------------------------------------------------------------------
# English at the site root, Japanese under ja/: the languages are in relnotes.toml, and
# `relnotes build` (make html) builds each.
language = "en"
locale_dirs = ["locale/"]  # source/locale/<language>/LC_MESSAGES/<page>.po (sphinx-intl)
gettext_compact = False  # one catalog per page, so a page is translated on its own
# Where the site is served; canonical links, the sitemap and OpenGraph URLs start here, and
# the extension appends "<language>/" for a translation's build.
html_baseurl = "https://technotes.example.org/"
extensions += ["sphinx_sitemap", "sphinxext.opengraph", "notfound.extension"]
sitemap_url_scheme = "{link}"
sitemap_locales = [None]  # each language's sitemap lists its own pages
ogp_site_url = html_baseurl
ogp_site_name = project
ogp_enable_meta_description = True
notfound_urls_prefix = "/"
ogp_social_cards = {"enable": False}  # generated images would need matplotlib
gettext_location = False  # catalogs name no source paths; msgids are unique per page anyway
# The Japanese search index segments only Japanese text with TinySegmenter (see the module).
html_search_options = {"type": "relnotes.sphinxext.japanese_search.MixedScriptSplitter"}
