"""One atomic-write helper, used by every writer: a failure leaves the old file and no
temporary; files get the mode a plain write gives; no writer keeps a copy of its own."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from relnotes.core import atomic
from relnotes.core.atomic import write_atomic
from relnotes.core.filemode import plain_file_mode

PACKAGE = Path(__file__).parent.parent / "_ext" / "relnotes"


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "page.html"
    write_atomic(path, "old")

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["page.html"]


def test_the_file_gets_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b.json"
    assert write_atomic(path, b"{}")
    assert path.stat().st_mode & 0o777 == plain_file_mode()


def test_an_unchanged_file_is_left_alone_and_keeps_its_mtime(tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    write_atomic(path, "x")
    os.utime(path, ns=(1, 1))
    assert not write_atomic(path, "x", only_if_changed=True)
    assert path.stat().st_mtime_ns == 1
    assert write_atomic(path, "y", only_if_changed=True)


def test_an_exclusive_write_never_replaces_a_file_that_appeared(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("someone else's")
    with pytest.raises(FileExistsError):
        write_atomic(path, "mine", exclusive=True)
    assert path.read_text() == "someone else's"
    assert os.listdir(tmp_path) == ["page.md"]


def test_no_module_but_the_helper_renames_a_temporary_file_into_place() -> None:
    """os.replace, tempfile.mkstemp and Path.replace appear in the helper only (the init
    command's staging folder, and the output folders' promotion, rename folders, not files)."""
    offenders = []
    for module in sorted(PACKAGE.rglob("*.py")):
        if module.name == "atomic.py":
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if not isinstance(node, ast.Attribute):
                continue
            renames = node.attr == "replace" and isinstance(node.value, ast.Name) \
                and node.value.id == "os"
            if renames or node.attr in ("mkstemp", "fsync"):
                offenders.append(f"{module.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
