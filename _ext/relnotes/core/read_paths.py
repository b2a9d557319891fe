"""Paths that pages name for Sphinx and MyST to read, and the one rule they all go through.

A page (or a translation of it) can make the build read a file and publish its bytes:
``literalinclude`` and ``include`` put it in the page, ``image``, ``figure``, Markdown images
and the ``download`` role copy it into the site, ``raw`` and ``csv-table`` read a ``:file:``
(or fetch a ``:url:``). The extension checks each of these names before Sphinx reads it, and
``relnotes check`` applies the same check to the pages and the catalogs: a named file must be a
regular file (or absent, which Sphinx reports) inside the site's pages or snippets folder,
symbolic links resolved. Sphinx-free: both the build and the linter call :func:`check_read`.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from relnotes.core.paths import PathError

#: Directives whose argument names a file that Sphinx or MyST reads.
ARGUMENT_READERS = frozenset({"literalinclude", "include", "image", "figure"})
#: Directives that read the file their ``:file:`` option names, or fetch a ``:url:``.
FILE_OPTION_READERS = frozenset({"raw", "csv-table"})
#: Roles whose target is a file copied into the site.
READING_ROLES = frozenset({"download"})


@dataclass(frozen=True)
class ReadRoots:
    """The folders a page may have files read from: its pages (``srcdir``) and the snippets."""

    srcdir: Path
    others: tuple[Path, ...] = ()

    def all(self) -> tuple[Path, ...]:
        return (self.srcdir, *self.others)


def is_remote(name: str) -> bool:
    """A URL or an inline image: nothing on the host is read for it."""
    return "://" in name or name.startswith("data:")


def resolve_named(name: str, docname: str, srcdir: Path) -> Path:
    """The file Sphinx reads for ``name`` in page ``docname``: ``/x`` from the pages' root,
    anything else from the page's folder (as ``BuildEnvironment.relfn2path`` resolves it)."""
    here = posixpath.dirname(docname)
    relative = name.lstrip("/") if name.startswith("/") else posixpath.join(here, name)
    return Path(os.path.normpath(srcdir / relative))


def check_read(path: Path, roots: ReadRoots, *, what: str, name: str) -> Path:
    """``path`` (absolute, as Sphinx would read it) if it may be read; else PathError.

    Refused: anything whose real path (links resolved) is outside every root, and anything
    there that is not a regular file (a FIFO or a device would block or never end).
    """
    if "\0" in name:
        raise PathError(f"{what} {name!r} contains a NUL")
    real = path.resolve()
    folders = roots.all()
    if not any(real.is_relative_to(root.resolve()) for root in folders):
        how = "through a symbolic link" if path.is_relative_to(roots.srcdir) else "with '..'"
        shown = ", ".join(f"{root.name}/" for root in folders)
        raise PathError(f"{what} {name!r} names a file outside {shown} ({how}); the build "
                        "reads only the site's own files")
    if real.exists() and not real.is_file():
        raise PathError(f"{what} {name!r} is not a regular file")
    return real


def check_named(name: str, docname: str, roots: ReadRoots, *, what: str) -> Path | None:
    """:func:`check_read` of a name as a page writes it; None for a URL (nothing read)."""
    name = name.strip()
    if not name or is_remote(name):
        return None
    if name.startswith("<") and name.endswith(">"):
        # docutils' standard includes (<isonum.txt>): its own data files, by bare name only.
        inner = name[1:-1]
        if not inner or "/" in inner or "\\" in inner or inner.startswith("."):
            raise PathError(f"{what} {name!r} is not one of docutils' standard includes")
        return None
    return check_read(resolve_named(name, docname, roots.srcdir), roots, what=what, name=name)


def url_option_message(directive: str) -> str:
    return f"{directive}: the :url: option is refused: the build fetches nothing from the network"


def reading_names(directive: str, argument: str,
                  options: dict[str, str]) -> Sequence[tuple[str, str]]:
    """(what, name) of every file a directive reads, as written in the page."""
    found: list[tuple[str, str]] = []
    if directive in ARGUMENT_READERS and argument:
        # A figure is an image to Sphinx, and named so in its warning.
        found.append(("image" if directive == "figure" else directive, argument))
    if directive in FILE_OPTION_READERS and options.get("file"):
        found.append((f"{directive} :file:", options["file"]))
    return found
