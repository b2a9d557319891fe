"""Move a gated build from its staging directory into place, only when the build succeeded.

``make publish`` / ``tox -e publish`` build into ``_build/staging``; a refused build fails
before this runs, so nothing of it reaches ``_build/html``. The old site is swapped out by
renames, so a reader of ``_build/html`` never sees half of one.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def promote(staging: Path, target: Path) -> None:
    if not (staging / "index.html").is_file():
        raise SystemExit(f"error: {staging} holds no built site; nothing published")
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    promote(Path(sys.argv[1]), Path(sys.argv[2]))
