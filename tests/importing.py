"""What the importer's tests share: an empty site, the command with its output, a file tree."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from relnotes.importing.cli import main


def site(tmp_path: Path) -> Path:
    (tmp_path / "conf.py").write_text("extensions = []\n")
    return tmp_path


def run(*argv: str) -> tuple[int, str, str]:
    """``relnotes import ARGV``: exit status, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}
