"""The mode a plain ``open(path, "w")`` would give a new file: 0666 less the umask.

Published and ledger files are written through a temporary file (``tempfile.mkstemp``) and
renamed into place, so readers never see half a file; but mkstemp creates 0600, which a web
server running as another user cannot read once the site is copied with its modes.
"""

from __future__ import annotations

import os
import threading

_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the kernel says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _LOCK:  # elsewhere the only way is to set it and set it back
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def plain_file_mode() -> int:
    return 0o666 & ~current_umask()


def make_plain(fd: int) -> None:
    """Give the open (temporary) file ``fd`` the mode a plain write would."""
    os.fchmod(fd, plain_file_mode())
