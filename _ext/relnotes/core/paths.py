"""Confining the paths that pages and specs name to their folder (Sphinx-free).

A page's ``rn:snippet`` argument and a spec's ``guest``, step snippets, fragments and
``verified_by`` are written by contributors; the site and the verifier read those files on the
host and publish or run their bytes. Every such path goes through ``confine``, which resolves
symbolic links before deciding, so neither ``..`` nor a link can reach a host file.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

# Generous for a workaround (the largest published snippet is a few KiB); a bigger file is a
# mistake or an attack, and would make a page of tens of megabytes.
DEFAULT_SNIPPET_SIZE_LIMIT = 256 * 1024


class PathError(ValueError):
    """A named path is not a file inside its folder; the message says which rule it broke."""


def confine(root: Path, name: str, *, what: str = "path", must_exist: bool = True) -> Path:
    """The real path of ``name`` (relative, posix) inside ``root``, symlinks resolved.

    Refused: an empty or absolute name, a backslash, a NUL, anything resolving outside
    ``root`` (``..`` or a symbolic link anywhere along the way) and, with ``must_exist``, a
    name that is not a regular file.
    """
    if not name or "\0" in name:
        raise PathError(f"{what} {name!r} is empty or contains a NUL")
    if name.startswith("/") or "\\" in name or PurePosixPath(name).is_absolute():
        raise PathError(f"{what} {name!r} must be relative to {root.name}/")
    real_root = root.resolve()
    path = (real_root / name).resolve()
    if not path.is_relative_to(real_root):
        how = "through a symbolic link" if ".." not in PurePosixPath(name).parts else "with '..'"
        raise PathError(f"{what} {name!r} leaves {root.name}/ ({how})")
    if must_exist and not path.is_file():
        raise PathError(f"{what} {name!r} is not a file in {root.name}/")
    return path


def check_size(path: Path, limit: int, *, what: str = "snippet") -> None:
    """Refuse a file larger than ``limit`` bytes (0: no limit)."""
    size = path.stat().st_size
    if limit and size > limit:
        raise PathError(f"{what} is {size} bytes, over the limit of {limit} bytes")
