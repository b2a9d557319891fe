"""The site builds without a warning, its rules hold, and every snippet is shown and verified."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sphinx.application import Sphinx

from relnotes.core.lint import check_site
from relnotes.core.settings import load_settings

SITE = Path(__file__).resolve().parents[1]


def build(tmp_path: Path, **overrides: object) -> str:
    warnings = io.StringIO()
    app = Sphinx(str(SITE / "source"), str(SITE), str(tmp_path / "html"),
                 str(tmp_path / "doctrees"), "html", status=None, warning=warnings,
                 freshenv=True, confoverrides=overrides)
    app.build()
    return warnings.getvalue()


def test_the_site_builds_without_a_warning(tmp_path: Path) -> None:
    assert build(tmp_path) == ""
    assert (tmp_path / "html" / "issues" / "example-nic-model.html").is_file()


def test_every_page_and_snippet_follows_the_rules_and_every_snippet_is_shown() -> None:
    # relnotes check's rules: fields, references, toctrees, specs, and no snippet left unshown.
    settings = load_settings(SITE)
    assert [problem.render(SITE) for problem in check_site(settings, SITE / "source")] == []


def test_every_shown_snippet_is_verified(tmp_path: Path) -> None:
    # The publish gate: a failed, stale or never-verified snippet is a warning.
    if not load_settings(SITE).ledger.is_file():
        pytest.fail("no verification ledger: run `relnotes verify` (make test does) first")
    assert build(tmp_path, relnotes_require_verified=True) == ""
