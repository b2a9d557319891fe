"""Every file a page makes Sphinx or MyST read goes through the core's rule first.

Directives that read a file (``literalinclude``, ``include``, ``raw`` and ``csv-table`` with
``:file:``) are replaced by subclasses that check the name before the parent reads anything;
MyST's own include (which reads without calling the directive) is checked on ``include-read``,
its text dropped when refused; since MyST opens the file before that event, a Markdown page's
(and an included text's) ``include`` names are checked first and a refused directive is
blanked out, so a FIFO or a device is never opened. Sphinx compiles and opens every catalog of
the language: if one is not a regular file, the language is built without catalogs. Images,
figures, Markdown images and ``download`` roles are checked on ``doctree-read`` before Sphinx's
collectors copy their files: a refused one is removed from the page. Translations are parsed
during reading, so a catalog's ``msgstr`` is checked the same way, in every language. Each
refusal is a located warning (``relnotes.path``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.nodes import Node
from docutils.parsers.rst.directives.misc import Raw
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.directives.code import LiteralInclude
from sphinx.directives.other import Include
from sphinx.directives.patches import CSVTable
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from relnotes.core.pages import read_page
from relnotes.core.paths import PathError
from relnotes.core.read_paths import (
    ReadRoots,
    check_named,
    check_read,
    is_remote,
    resolve_named,
    url_option_message,
)
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


def read_roots(env: BuildEnvironment) -> ReadRoots:
    return ReadRoots(Path(env.srcdir), (Path(relnotes_config(env.config).snippets_dir),))


def _refuse(message: str, location: Any) -> None:
    logger.warning(message, location=location, type=WARNING_TYPE, subtype=Subtype.PATH)


class _Checked:
    """Mixin for a directive that reads files: its names are checked before ``run``."""

    def refused(self) -> str | None:
        directive: Any = self
        env = directive.state.document.settings.env  # docutils' raw and csv-table have no .env
        roots = read_roots(env)
        docname = env.current_document.docname
        if "url" in directive.options:
            return url_option_message(directive.name)
        names = []
        if directive.arguments and directive.name in ("literalinclude", "include"):
            names.append((directive.name, directive.arguments[0]))
        if "file" in directive.options:
            names.append((f"{directive.name} :file:", directive.options["file"]))
        for what, name in names:
            try:
                check_named(name, docname, roots, what=what)
            except PathError as error:
                return str(error)
        return None

    def checked_run(self, parent: Any) -> Sequence[Node]:
        directive: Any = self
        if (problem := self.refused()) is not None:
            _refuse(problem, directive.get_location())
            return []
        result: Sequence[Node] = parent.run(directive)
        return result


class ConfinedLiteralInclude(_Checked, LiteralInclude):
    def run(self) -> list[Node]:
        return list(self.checked_run(LiteralInclude))


class ConfinedInclude(_Checked, Include):
    def run(self) -> Sequence[Node]:
        return self.checked_run(Include)


class ConfinedRaw(_Checked, Raw):
    def get_location(self) -> str:
        source, line = self.state_machine.get_source_and_line(self.lineno)
        return f"{source}:{line}"

    def run(self) -> list[Node]:
        return list(self.checked_run(Raw))


class ConfinedCSVTable(_Checked, CSVTable):
    def get_location(self) -> str:
        source, line = self.state_machine.get_source_and_line(self.lineno)
        return f"{source}:{line}"

    def run(self) -> list[Node]:  # type: ignore[override]  # a refusal is no table
        return list(self.checked_run(CSVTable))


def check_include_read(app: Sphinx, relative_path: Path, parent_docname: str,
                       content: list[str]) -> None:
    """MyST's include reads the file itself: a refused one's text never reaches the page."""
    roots = read_roots(app.env)
    path = Path(os.path.normpath(Path(app.srcdir) / relative_path))
    docname = app.env.current_document.docname
    try:
        check_read(path, roots, what="include", name=str(relative_path))
    except PathError:
        content[0] = ""
        name, line = _include_in_page(app, docname, path)
        try:
            check_read(path, roots, what="include", name=name)
        except PathError as error:
            _refuse(str(error), (docname, line))
        return
    if path.suffix == ".md":  # its own includes are opened by MyST as soon as it is parsed
        content[0] = _without_refused_includes(content[0], docname, roots, str(path))


def check_markdown_includes(app: Sphinx, docname: str, source: list[str]) -> None:
    """A Markdown page's includes, checked before MyST opens them (source-read)."""
    if app.env.doc2path(docname).suffix == ".md":
        source[0] = _without_refused_includes(source[0], docname, read_roots(app.env), docname)


def _without_refused_includes(text: str, docname: str, roots: ReadRoots, where: str) -> str:
    """``text`` with each refused ``include`` directive's lines blank (line numbers kept)."""
    if "include" not in text:  # most pages: no Markdown parse
        return text
    lines = text.split("\n")
    for directive in read_page(text).directives:
        if directive.name != "include" or not directive.argument:
            continue
        try:
            check_named(directive.argument, docname, roots, what="include")
        except PathError as error:
            _refuse(str(error), f"{where}:{directive.line}" if where != docname
                    else (docname, directive.line))
            for index in range(directive.line - 1, min(directive.end_line, len(lines))):
                lines[index] = ""
    return "\n".join(lines)


def check_catalog_files(app: Sphinx) -> None:
    """Every catalog Sphinx would compile or open for the language is a regular file inside
    the site (builder-inited, before the build compiles them): a FIFO would block the build
    and a device would never end. When one is not, each is a located warning and the language
    is built without its catalogs (untranslated, as a page without a catalog is)."""
    language = app.config.language
    if not language or language == "en":
        return
    roots = read_roots(app.env)
    refused = False
    for locale_dir in app.config.locale_dirs:
        messages = Path(app.srcdir) / locale_dir / language / "LC_MESSAGES"
        if not messages.is_dir():
            continue
        for path in sorted((*messages.rglob("*.po"), *messages.rglob("*.mo"))):
            shown = path.relative_to(app.srcdir)
            try:
                check_read(path, roots, what="catalog", name=str(shown))
            except PathError as error:
                refused = True
                _refuse(f"{error}: remove it, or replace it with the catalog's text; the "
                        "language is built without its catalogs", f"{path}:1")
    if refused:
        app.config.locale_dirs = []


def _include_in_page(app: Sphinx, docname: str, path: Path) -> tuple[str, int | None]:
    """The include directive of the page that names ``path``, as written, and its line (the
    event names neither); the path itself when it is not in the page (a translation's)."""
    try:
        page = read_page(app.env.doc2path(docname).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return str(path), None
    for directive in page.directives:
        if directive.name == "include" and directive.argument and not is_remote(
                directive.argument) and resolve_named(directive.argument, docname,
                                                      Path(app.srcdir)) == path:
            return directive.argument, directive.line
    return str(path), None


def check_doctree_files(app: Sphinx, doctree: nodes.document) -> None:
    """Images and downloads, before Sphinx's collectors copy them into the site."""
    roots = read_roots(app.env)
    docname = app.env.current_document.docname
    for image in list(doctree.findall(nodes.image)):
        uri = str(image.get("uri", ""))
        try:
            check_named(uri, docname, roots, what="image")
            if uri.endswith(".*"):  # Sphinx picks one of the candidates: every one is checked
                for candidate in resolve_named(uri, docname, roots.srcdir).parent.glob(
                        Path(uri).name):
                    check_read(candidate, roots, what="image", name=uri)
        except PathError as error:
            _refuse(str(error), image)
            image.parent.remove(image)
    for download in list(doctree.findall(addnodes.download_reference)):
        target = str(download.get("reftarget", ""))
        try:
            check_named(target, docname, roots, what="download")
        except PathError as error:
            _refuse(str(error), download)
            download.replace_self(nodes.inline("", "", *download.children))


def setup_confinement(app: Sphinx) -> None:
    app.add_directive("literalinclude", ConfinedLiteralInclude, override=True)
    app.add_directive("include", ConfinedInclude, override=True)
    app.add_directive("raw", ConfinedRaw, override=True)
    app.add_directive("csv-table", ConfinedCSVTable, override=True)
    app.connect("include-read", check_include_read)
    # Early, so that no other source-read handler parses a page whose include is refused.
    app.connect("source-read", check_markdown_includes, priority=100)
    # Before the builder's first build step compiles the catalogs.
    app.connect("builder-inited", check_catalog_files)
    # Before Sphinx's image and download collectors (priority 500) copy the files.
    app.connect("doctree-read", check_doctree_files, priority=400)
