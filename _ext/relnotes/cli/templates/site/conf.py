"""Sphinx configuration of the @PROJECT@ release notes."""

from __future__ import annotations

import sys
from pathlib import Path

# The site's own Sphinx extensions, if it grows any (see _ext/README.md).
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "@PROJECT@"
author = "The @PROJECT@ authors"
copyright = "the @PROJECT@ authors"

extensions = [
    "relnotes.sphinxext",
    "myst_parser",
]

# source/ holds the pages; conf.py sits at the root beside snippets/ and relnotes.toml.
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "@PROJECT@"
html_static_path: list[str] = []
# Every code block gets one copy button from relnotes (a snippet's copies the file's bytes).

# Snippets folder, ledger, verification targets, topics and the Bugzilla URL are declared in
# relnotes.toml, which the relnotes command reads too.
