"""The one way every file the project writes reaches its place: whole, or not at all.

Pages, ledgers, JUnit reports, catalogs, state files and the site's own outputs are written to a
temporary file beside their target, flushed to disk, given the mode a plain ``open(path, "w")``
would give, and renamed over the target. A reader sees the old file or the new one, never half
of one, and a failure (a full disk, Ctrl-C) leaves no temporary behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from relnotes.core.filemode import make_plain


def stage(path: Path, data: str | bytes) -> Path:
    """``data`` written and synced to a temporary file beside ``path``; the caller renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        make_plain(fd)  # mkstemp makes it 0600
        with os.fdopen(fd, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def place(temporary: Path, path: Path) -> None:
    """Rename a file made by :func:`stage` over ``path`` (for several files staged first)."""
    os.replace(temporary, path)


def write_atomic(path: Path, data: str | bytes, *, only_if_changed: bool = False,
                 exclusive: bool = False) -> bool:
    """Put ``data`` at ``path`` atomically; True when written.

    ``only_if_changed``: leave an identical file alone (it keeps its mtime, so a web server or
    rsync sees nothing new). ``exclusive``: never replace an existing file (FileExistsError),
    for a page that must not overwrite one that appeared meanwhile.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if only_if_changed:
        try:
            if path.is_file() and path.read_bytes() == raw:
                return False
        except OSError:
            pass
    temporary = stage(path, raw)
    try:
        if exclusive:
            os.link(temporary, path)  # fails if the name exists; never replaces
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def write_atomic_stream(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Put at ``path`` what ``write`` writes to a binary stream, atomically: for files too
    large to hold whole (a merged ledger). An exception from ``write`` leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        make_plain(fd)  # mkstemp makes it 0600
        with os.fdopen(fd, "wb", buffering=1 << 20) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def scratch_file(beside: Path, suffix: str, stack: contextlib.ExitStack) -> Path:
    """A new empty file beside ``beside`` (hidden, on the same file system), for work that is
    never renamed into place (a merge's sorted copies and parts); removed when ``stack``
    closes, whatever happened."""
    beside.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{beside.name}.", suffix=suffix, dir=beside.parent)
    os.close(fd)
    path = Path(name)
    stack.callback(path.unlink, missing_ok=True)
    return path
