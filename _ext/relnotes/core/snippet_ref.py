"""A page's reference to a snippet file: resolved inside the snippets folder, or refused.

Sphinx-free: the ``rn:snippet`` directive and ``relnotes check`` resolve references, and find
the snippets no page shows, with these functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from relnotes.core.paths import PathError, check_size, confine
from relnotes.core.spec import snippet_files, snippet_key

#: A reference that cannot be shown: the one path rule's error (relnotes.core.paths).
SnippetPathError = PathError


@dataclass(frozen=True)
class SnippetRef:
    """A snippet file resolved inside the snippets directory."""

    key: str  # path relative to the snippets directory, posix
    path: Path


def resolve_snippet_ref(snippets_dir: Path, key: str) -> SnippetRef:
    """Resolve ``key`` inside ``snippets_dir``, refusing anything that escapes it (symlinks
    resolved: the same rule the verifier applies to what specs name)."""
    path = confine(snippets_dir, key, what="snippet path")
    return SnippetRef(path.relative_to(snippets_dir.resolve()).as_posix(), path)


def read_snippet(ref: SnippetRef, size_limit: int = 0) -> tuple[bytes, str]:
    """The file's exact bytes and its text: a snippet over ``size_limit`` bytes (0: none) or
    not UTF-8 cannot be shown."""
    check_size(ref.path, size_limit, what=f"snippet {ref.key!r}")
    data = ref.path.read_bytes()
    try:
        return data, data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SnippetPathError(f"snippet {ref.key!r} is not UTF-8 text (byte {error.start})") \
            from None


def unreferenced_snippets(snippets_dir: Path, referenced: Iterable[str]) -> list[tuple[str, Path]]:
    """(key, file) of every published snippet that no page shows, so none goes unpublished."""
    if not snippets_dir.is_dir():
        return []
    shown = set(referenced)
    return [(key, path) for path in snippet_files(snippets_dir)
            if (key := snippet_key(path, snippets_dir)) not in shown]


def unreferenced_message(key: str) -> str:
    return f"snippet {key!r} is not included by any page"
