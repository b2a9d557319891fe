"""Highlighted code on the reader's pages: Pygments' stylesheet with only the rules of the token
classes the pages use, and each block reachable by keyboard.

A block wider than a phone's screen scrolls sideways; its ``<pre>`` gets ``tabindex="0"`` so a
reader without a pointer can scroll it (axe-core's scrollable-region-focusable).

Each page's code is highlighted, when the page is resolved, as the HTML writer will highlight it
(the same call with the same arguments, its warnings silenced: the writer gives them), and the
token classes it uses are noted per page. ``doctree-resolved`` runs in the main process in a
parallel build too, so nothing is lost with the workers. The notes live beside the doctrees, so an
incremental build still knows the classes of the pages it does not rewrite. At the end of the
build, after the theme has written ``pygments.css`` (furo: the light style, the dark one for
``data-theme="dark"`` and again for the media query), every rule of a token class no page uses
is removed from it; rules that are not about a token (the background, highlighted lines, line
numbers) stay.

The stylesheet's ``?v=`` is Sphinx's, computed from its own stylesheet when the pages are
written (as with furo's rewrite): it changes with the Pygments styles, not with the set of
classes. A reader's cache may keep the previous copy after a page in a new language is added,
until the host's caching lets it revalidate; the new tokens show uncoloured meanwhile.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from docutils import nodes
from pygments.token import STANDARD_TYPES  # type: ignore[import-untyped]  # no stubs here
from sphinx.application import Sphinx
from sphinx.util import logging

from relnotes.core.atomic import write_atomic

#: Every class Pygments' HTML formatter gives a token (``k``, ``nt``, ...).
TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
#: Where the classes of each page are noted between builds (in the doctree folder).
NOTES = "relnotes-highlight-classes.json"

_SPAN_CLASS = re.compile(r'<span class="([^"]+)"')
# One rule per line, as Pygments writes them: the selector's last class, then the block.
_RULE = re.compile(r'^(?P<selector>[^{}\n]*\.highlight \.(?P<token>[\w-]+)) (?P<block>\{[^}\n]*\})'
                   r'(?: /\*[^*\n]*\*/)?$', re.MULTILINE)


def classes_in(highlighted: str) -> set[str]:
    """The token classes of highlighted HTML."""
    return {name for match in _SPAN_CLASS.finditer(highlighted)
            for name in match.group(1).split()} & TOKEN_CLASSES


def pruned_stylesheet(css: str, used: Iterable[str]) -> str:
    """``css`` without the rules of token classes not in ``used`` (and without Pygments'
    comments naming each token)."""
    keep = set(used)

    def one(match: re.Match[str]) -> str:
        token = match.group("token")
        if token in TOKEN_CLASSES and token not in keep:
            return ""
        return f"{match.group('selector')} {match.group('block')}"

    return "\n".join(line for line in _RULE.sub(one, css).split("\n") if line)


def _writes_pages(app: Sphinx) -> bool:
    return getattr(app.builder, "format", "") == "html" and hasattr(app.builder, "highlighter")


def _notes(app: Sphinx) -> dict[str, list[str]]:
    notes: dict[str, list[str]] | None = getattr(app, "_relnotes_highlight", None)
    if notes is None:
        try:
            loaded = json.loads((Path(app.doctreedir) / NOTES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        notes = {str(docname): [str(name) for name in names]
                 for docname, names in (loaded.items() if isinstance(loaded, dict) else ())
                 if isinstance(names, list)}
        app._relnotes_highlight = notes  # type: ignore[attr-defined]
    return notes


def _highlighted(app: Sphinx, node: nodes.Element) -> str:
    """The node's code as the HTML writer highlights it (``visit_literal_block`` and
    ``visit_literal``), or nothing when the writer does not highlight it."""
    highlighter: Any = app.builder.highlighter  # type: ignore[attr-defined]
    config = app.config
    if isinstance(node, nodes.literal_block):
        if node.rawsource != node.astext():
            return ""  # a parsed literal: not highlighted
        lang = node.get("language", "default")
        args = dict(node.get("highlight_args", {}))
        args["force"] = node.get("force", False)
        linenos = node.get("linenos", False)
        if linenos and config.html_codeblock_linenos_style:
            linenos = config.html_codeblock_linenos_style
        return str(highlighter.highlight_block(
            node.rawsource, lang, opts=config.highlight_options.get(lang, {}),
            linenos=linenos, location=node, **args))
    lang = node.get("language")
    if "code" not in node["classes"] or not lang:
        return ""
    return str(highlighter.highlight_block(node.astext(), lang,
                                           opts=config.highlight_options.get(lang, {}),
                                           location=node, nowrap=True))


def note_classes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not _writes_pages(app):
        return
    used: set[str] = set()
    with logging.suppress_logging():  # the writer reports what goes wrong, once
        for node in doctree.findall(lambda n: isinstance(n, (nodes.literal_block, nodes.literal))):
            assert isinstance(node, nodes.Element)
            used |= classes_in(_highlighted(app, node))
    _notes(app)[docname] = sorted(used)


def write_stylesheet(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not _writes_pages(app):
        return
    notes = _notes(app)
    for docname in set(notes) - set(app.env.all_docs):
        del notes[docname]  # removed since
    write_atomic(Path(app.doctreedir) / NOTES, json.dumps(notes, sort_keys=True))
    used = {name for names in notes.values() for name in names}
    static = Path(app.outdir) / "_static"
    for path in sorted(static.glob("pygments*.css")):
        css = path.read_text(encoding="utf-8")
        pruned = pruned_stylesheet(css, used)
        if pruned != css:
            write_atomic(path, pruned)


_BLOCK = '<div class="highlight"><pre>'


def focusable_blocks(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                     doctree: object) -> None:
    if "body" in context:
        context["body"] = context["body"].replace(_BLOCK, '<div class="highlight"><pre tabindex="0">')


def setup_highlight_styles(app: Sphinx) -> None:
    # Any order: it edits the body's code blocks only, which no other handler touches.
    app.connect("html-page-context", focusable_blocks, priority=500)
    # After the post-transforms have set each block's language; the order among other
    # doctree-resolved handlers does not matter (code blocks are not replaced).
    app.connect("doctree-resolved", note_classes, priority=500)
    # After furo (500) rewrites pygments.css at the end of the build, and after assets.py's
    # remove_shared_copies (500) decided, by the bytes the translation's pages were written
    # with, which of its copies to keep: a stylesheet its pages link is never removed.
    app.connect("build-finished", write_stylesheet, priority=700)
