"""The ``rn:snippet`` directive: a file from ``snippets/`` shown exactly, never copied into a page.

Its verification badges are filled in when the page is written (see ``verification.py``), so
reading a page does not depend on the ledger.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.core.snippet_ref import (
    SnippetPathError as SnippetPathError,  # re-exported: verification.py catches it from here
)
from relnotes.core.snippet_ref import (
    SnippetRef,
    read_snippet,
    resolve_snippet_ref,
    unreferenced_message,
    unreferenced_snippets,
)
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

LANGUAGES = {".xml": "xml", ".sh": "bash", ".virsh": "bash", ".console": "console"}


class snippet_status(nodes.General, nodes.Element):
    """Placeholder for one snippet's verification badges; ``key`` names the snippet."""


@dataclass(frozen=True)
class SnippetFile(SnippetRef):
    """A snippet file resolved inside the snippets directory, as the page shows it."""

    @property
    def language(self) -> str:
        if self.path.suffix in LANGUAGES:
            return LANGUAGES[self.path.suffix]
        first_line = self.path.read_bytes()[:64].split(b"\n", 1)[0]
        return "bash" if first_line.startswith(b"#!") and b"sh" in first_line else "text"


def resolve_snippet(snippets_dir: Path, key: str) -> SnippetFile:
    """Resolve ``key`` inside ``snippets_dir``, refusing anything that escapes it."""
    ref = resolve_snippet_ref(snippets_dir, key)
    return SnippetFile(ref.key, ref.path)


def snippets_dir(app_or_env: Sphinx | BuildEnvironment) -> Path:
    return Path(relnotes_config(app_or_env.config).snippets_dir)


def snippet_anchor(key: str) -> str:
    return "snippet-" + nodes.make_id(key)


class SnippetDirective(SphinxDirective):
    """Shows a file from the snippets directory with a copy button and a download link."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "caption": directives.unchanged,
        "language": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        try:
            snippet = resolve_snippet(snippets_dir(self.env), self.arguments[0])
        except SnippetPathError as error:
            logger.warning(str(error), location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype.SNIPPET)
            return []
        try:
            data, text = read_snippet(snippet, relnotes_config(self.config).snippet_size_limit)
        except SnippetPathError as error:
            # Named by this page, so not also "included by no page"; never shown.
            relnotes_domain(self.env).note_unshown_snippet(self.env.docname, snippet.key,
                                                           self.lineno)
            logger.warning(str(error), location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype.SNIPPET)
            return []
        self.env.note_dependency(str(snippet.path))
        relnotes_domain(self.env).note_snippet(self.env.docname, snippet.key, self.lineno)

        container = nodes.container(classes=["rn-snippet"], ids=[self._unique_anchor(snippet.key)])
        container += self._caption(snippet)
        block = nodes.literal_block(text, text, classes=["rn-snippet-code"])
        block["language"] = self.options.get("language", snippet.language)
        self.set_source_info(block)
        container += block
        # The copy button copies these exact bytes (final newline, tabs, trailing blanks),
        # not the highlighted text.
        encoded = base64.b64encode(data).decode("ascii")
        container += nodes.raw(
            "", f'<template class="rn-snippet-bytes" data-content="{encoded}"></template>',
            format="html",
        )
        status = snippet_status(key=snippet.key)
        self.set_source_info(status)
        container += status
        return [container]

    def _unique_anchor(self, key: str) -> str:
        # A page may show one file twice (e.g. as published and again in a tab); the
        # first occurrence keeps the stable anchor the snippets page links to.
        used = cast("set[str]", self.env.temp_data.setdefault("rn_snippet_anchors", set()))
        anchor = base = snippet_anchor(key)
        count = 1
        while anchor in used:
            count += 1
            anchor = f"{base}-{count}"
        used.add(anchor)
        return anchor

    def _caption(self, snippet: SnippetFile) -> nodes.Node:
        caption = nodes.paragraph(classes=["rn-snippet-caption"])
        caption += nodes.literal("", self.options.get("caption", snippet.key))
        caption += nodes.Text(" ")
        relative = os.path.relpath(snippet.path, self.env.srcdir)
        download = addnodes.download_reference(
            "", "", reftarget="/" + Path(relative).as_posix(), refdoc=self.env.docname,
            refexplicit=True, classes=["rn-snippet-download"],
        )
        download += nodes.inline("", _("download"))
        caption += download
        return caption


def check_all_included(app: Sphinx, env: BuildEnvironment) -> None:
    """Every artifact in the snippets directory is shown somewhere, so none goes unpublished."""
    domain = relnotes_domain(env)
    included = {located.value for name in ("snippets", "unshown")
                for uses in domain.data.get(name, {}).values() for located in uses}
    for key, path in unreferenced_snippets(snippets_dir(env), included):
        logger.warning(
            unreferenced_message(key),
            location=file_location(path), type=WARNING_TYPE, subtype=Subtype.SNIPPET,
        )


def file_location(path: Path) -> nodes.Node:
    # Sphinx reads a string location as a docname; a node carries a plain file path.
    node = nodes.Element()
    node.source, node.line = str(path), 1
    return node


def setup_snippets(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "snippet", SnippetDirective)
    app.connect("env-check-consistency", check_all_included, priority=500)
