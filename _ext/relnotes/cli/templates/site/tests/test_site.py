"""The site builds without a warning, its rules hold, and every snippet is shown and verified."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.core.lint import check_site, find_pages
from relnotes.core.settings import load_settings

SITE = Path(__file__).resolve().parents[1]


def build(tmp_path: Path, *options: str) -> str:
    """A fresh build in its own process (as make html runs it); its warnings, or ''."""
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-nW", "--keep-going", "-b", "html", "-c", str(SITE),
         *options, str(SITE / "source"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0 or done.stderr, done.stdout
    return done.stderr


def test_the_site_builds_without_a_warning_and_writes_every_page(tmp_path: Path) -> None:
    assert build(tmp_path) == ""
    # Whatever pages the site has (the example is there to be replaced).
    pages = find_pages(SITE / "source")
    assert pages, "the site has no page"
    assert [name for name in pages if not (tmp_path / "html" / f"{name}.html").is_file()] == []


def test_every_page_and_snippet_follows_the_rules_and_every_snippet_is_shown() -> None:
    # relnotes check's rules: fields, references, toctrees, specs, and no snippet left unshown.
    settings = load_settings(SITE)
    assert [problem.render(SITE) for problem in check_site(settings, SITE / "source")] == []


def test_every_shown_snippet_is_verified(tmp_path: Path) -> None:
    # The publish gate: a failed, stale or never-verified snippet is a warning.
    if not load_settings(SITE).ledger.is_file():
        pytest.fail("no verification ledger: run `relnotes verify` (make test does) first")
    assert build(tmp_path, "-D", "relnotes_require_verified=1") == ""
