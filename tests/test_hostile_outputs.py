"""Hostile output folders: build and publish never write, move or delete what they did not
write. Each ``--out`` below is refused with exit 2 before anything is built, and every file
that was there is still there, unchanged."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from relnotes.cli import main

pytestmark = pytest.mark.hostile


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (links not followed) and each file's bytes."""
    seen: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        seen[key] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return seen


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "parent" / "site"
    (root / "source").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "conf.py").write_text('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
                                  'exclude_patterns = ["_build"]\n')
    (root / "relnotes.toml").write_text('targets = ["bookworm"]\n')
    (root / "source" / "index.md").write_text("# Notes\n")
    (root / "snippets" / "keep.sh").write_text("true\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root.parent / "neighbour.txt").write_text("not the site's\n")
    return root


def web_root(site: Path) -> Path:
    root = site.parent / "www"
    root.mkdir()
    (root / "index.html").write_text("another site\n")
    (root / "cgi").mkdir()
    (root / "cgi" / "app.py").write_text("print()\n")
    return root


def notes_file(site: Path) -> Path:
    path = site.parent / "notes.txt"
    path.write_text("my notes\n")
    return path


OUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "the site folder": (lambda site: site, "is the site folder or holds it"),
    "the site's parent": (lambda site: site.parent, "is the site folder or holds it"),
    "the root folder": (lambda site: Path("/"), "is the site folder or holds it"),
    "a web root with other content": (web_root, "holds files that relnotes did not write"),
    "a file": (notes_file, "is not a folder"),
    "the pages folder": (lambda site: site / "source", "a folder of the site's own"),
    "a folder inside the pages": (lambda site: site / "source" / "out",
                                  "a folder of the site's own"),
    "the snippets folder": (lambda site: site / "snippets", "a folder of the site's own"),
    "the ledger's folder": (lambda site: site / "_build" / "verification",
                            "a folder of the site's own"),
}


@pytest.mark.parametrize("command", ["build", "publish"])
@pytest.mark.parametrize("name", list(OUTS))
def test_an_output_folder_that_is_not_ours_is_refused_and_nothing_is_touched(
        site: Path, name: str, command: str, capfd: pytest.CaptureFixture[str]) -> None:
    make, message = OUTS[name]
    out = make(site)
    before = snapshot(site.parent)
    assert main(["--site", str(site), command, "--out", str(out), "--jobs", "1"]) == 2
    err = capfd.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert snapshot(site.parent) == before


@pytest.mark.parametrize("command", ["build", "publish"])
def test_a_relative_dot_out_from_inside_the_site_is_refused(
        site: Path, command: str, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    before = snapshot(site.parent)
    for out in (".", ".."):
        assert main([command, "--out", out, "--jobs", "1"]) == 2
        assert "is the site folder or holds it" in capfd.readouterr().err
    assert snapshot(site.parent) == before


def test_an_output_that_is_a_symbolic_link_is_refused(site: Path,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    target = web_root(site)
    link = site / "_build" / "html"
    link.parent.mkdir()
    os.symlink(target, link)
    before = snapshot(site.parent)
    assert main(["--site", str(site), "publish", "--jobs", "1"]) == 2
    assert "is a symbolic link" in capfd.readouterr().err
    assert snapshot(site.parent) == before
