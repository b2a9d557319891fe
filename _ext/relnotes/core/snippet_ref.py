"""A page's reference to a snippet file: resolved inside the snippets folder, or refused.

Sphinx-free: the ``rn:snippet`` directive and ``relnotes check`` resolve references, and find
the snippets no page shows, with these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from relnotes.core.spec import snippet_files, snippet_key


class SnippetPathError(ValueError):
    pass


@dataclass(frozen=True)
class SnippetRef:
    """A snippet file resolved inside the snippets directory."""

    key: str  # path relative to the snippets directory, posix
    path: Path


def resolve_snippet_ref(snippets_dir: Path, key: str) -> SnippetRef:
    """Resolve ``key`` inside ``snippets_dir``, refusing anything that escapes it."""
    if not key or key.startswith("/") or "\\" in key:
        raise SnippetPathError(f"snippet path {key!r} must be relative to the snippets directory")
    root = snippets_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root):
        raise SnippetPathError(f"snippet path {key!r} escapes the snippets directory")
    if not path.is_file():
        raise SnippetPathError(f"snippet file {key!r} not found in {snippets_dir}")
    return SnippetRef(path.relative_to(root).as_posix(), path)


def read_snippet(ref: SnippetRef) -> tuple[bytes, str]:
    """The file's exact bytes and its text: a snippet that is not UTF-8 cannot be shown."""
    data = ref.path.read_bytes()
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnippetPathError(f"snippet {ref.key!r} is not UTF-8 text") from None


def unreferenced_snippets(snippets_dir: Path, referenced: Iterable[str]) -> list[tuple[str, Path]]:
    """(key, file) of every published snippet that no page shows, so none goes unpublished."""
    if not snippets_dir.is_dir():
        return []
    shown = set(referenced)
    return [(key, path) for path in snippet_files(snippets_dir)
            if (key := snippet_key(path, snippets_dir)) not in shown]


def unreferenced_message(key: str) -> str:
    return f"snippet {key!r} is not included by any page"
