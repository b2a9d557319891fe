"""A refused publish publishes nothing: ``relnotes publish`` builds into a staging folder and
moves it into place only when the gated build succeeded; no -W is needed for a refusal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.cli.build import promote

TEST_ROOT = Path(__file__).parent / "roots" / "test-snippets"


def old_site(site: Path) -> Path:
    html = site / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("old")
    return html


def test_a_refused_publish_leaves_the_published_site_as_it_was(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(TEST_ROOT, site)  # no ledger: nothing is verified
    html = old_site(site)
    assert main(["--site", str(site), "publish", "--source", ".", "--jobs", "1"]) == 1
    err = capfd.readouterr().err  # the builds run in processes of their own
    assert "Publish refused" in err
    assert "comp/verified.xml: Not verified on bookworm" in err
    assert f"the site was not published; {html} is unchanged" in err
    assert (html / "index.html").read_text() == "old"
    assert sorted(p.name for p in html.parent.iterdir()) == ["html"]


def test_a_publish_with_every_shown_snippet_verified_replaces_the_old_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "source").mkdir(parents=True)
    (site / "conf.py").write_text('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
                                  'exclude_patterns = ["_build"]\n')
    (site / "source" / "index.md").write_text("# Notes\n\nNo workaround is shown here.\n")
    html = old_site(site)
    assert main(["--site", str(site), "publish", "--jobs", "1"]) == 0
    assert "Notes" in (html / "index.html").read_text()
    assert sorted(p.name for p in html.parent.iterdir()) == ["html"]


def test_promotion_swaps_the_staging_folder_in(tmp_path: Path) -> None:
    staging, site = tmp_path / "html.staging", tmp_path / "html"
    staging.mkdir()
    site.mkdir()
    (site / "index.html").write_text("old")
    (staging / "index.html").write_text("new")
    promote(staging, site)
    assert (site / "index.html").read_text() == "new"
    assert not staging.exists() and not (tmp_path / "html.old").exists()
