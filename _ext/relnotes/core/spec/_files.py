"""Where specs and snippets are: the spec beside each snippet, and what counts as a snippet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

SPEC_SUFFIX = ".check.toml"
# Directories under snippets/ whose name starts with this hold harness material (base guests),
# not published snippets.
PRIVATE_PREFIX = "_"


def spec_path(snippet_file: Path) -> Path:
    return snippet_file.with_name(snippet_file.name + SPEC_SUFFIX)


def is_spec_file(path: Path) -> bool:
    return path.name.endswith(SPEC_SUFFIX)


def snippet_files(snippets_dir: Path) -> Iterator[Path]:
    """Published snippet files: everything except specs and ``_``-prefixed harness material."""
    for path in sorted(snippets_dir.rglob("*")):
        relative = path.relative_to(snippets_dir)
        if not path.is_file() or is_spec_file(path):
            continue
        if any(part.startswith(PRIVATE_PREFIX) or part.startswith(".") for part in relative.parts):
            continue
        yield path


def linked_folders(snippets_dir: Path) -> list[Path]:
    """Folders under ``snippets_dir`` that are symbolic links: their snippets would be neither
    verified (the walk does not follow links) nor safe to follow (they may lead anywhere)."""
    return [path for path in sorted(snippets_dir.rglob("*"))
            if path.is_symlink() and path.is_dir()
            and not any(part.startswith((".", PRIVATE_PREFIX))  # harness material: confined
                        for part in path.relative_to(snippets_dir).parts)]


def snippet_key(path: Path, snippets_dir: Path) -> str:
    return path.relative_to(snippets_dir).as_posix()


def orphan_specs(snippets_dir: Path) -> list[Path]:
    """Spec files whose snippet does not exist (a renamed snippet leaves one behind)."""
    return [p for p in sorted(snippets_dir.rglob("*" + SPEC_SUFFIX))
            if not p.with_name(p.name.removesuffix(SPEC_SUFFIX)).is_file()]

