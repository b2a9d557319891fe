"""Reading an input file: a regular file only, and never more than a limit.

``stat().st_size`` says nothing of a FIFO (0 bytes, then blocks forever with no writer) or a
device (``/dev/zero`` never ends). The file is opened without blocking, checked to be a
regular file on the open descriptor (no race with a rename), and read up to the limit plus
one byte, so a file that grows while it is read is refused as well.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputFileError(ValueError):
    """The file is not a regular file, is too large, or cannot be read; the message says which."""


def read_bounded(path: Path, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else InputFileError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not a {what}") from None
    except OSError as error:
        raise InputFileError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileError(f"{path}: is a folder, not a {what}")
        if not stat.S_ISREG(mode):
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                    or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "special")
            raise InputFileError(f"{path}: is {kind}, not a regular {what}")
        size = os.fstat(fd).st_size
        if size > limit:
            raise InputFileError(f"{path}: too large ({size / 2**20:.1f} MiB; the limit is "
                                 f"{_amount(limit)})")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise InputFileError(f"{path}: too large (it grew while read; the limit is "
                                 f"{_amount(limit)})")
        return b"".join(chunks)
    except OSError as error:
        raise InputFileError(f"{path}: cannot be read: {error.strerror}") from None
    finally:
        os.close(fd)


def _amount(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"
