"""A refused publish publishes nothing: ``relnotes publish`` builds into a staging folder and
moves it into place only when the gated build succeeded; no -W is needed for a refusal. A
preview (``relnotes build``) goes to a folder of its own, never the deployed one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.outputs import MARK, OutputKind, claim, mark, marked_as

TEST_ROOT = Path(__file__).parent / "roots" / "test-snippets"


def old_site(site: Path) -> Path:
    """A site published earlier: its folder carries the mark publish leaves."""
    html = site / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("old")
    mark(html, OutputKind.PUBLISHED)
    return html


def plain_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "source").mkdir(parents=True)
    (site / "conf.py").write_text('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
                                  'exclude_patterns = ["_build"]\n')
    (site / "source" / "index.md").write_text("# Notes\n\nNo workaround is shown here.\n")
    return site


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
    assert outputs_beside(html) == ["html"]


def outputs_beside(html: Path) -> list[str]:
    """The folders beside the published site, but the builds' doctrees (no staging is left)."""
    return sorted(p.name for p in html.parent.iterdir() if not p.name.startswith("doctrees-"))


def test_a_publish_with_every_shown_snippet_verified_replaces_the_old_site(tmp_path: Path) -> None:
    site = plain_site(tmp_path)
    html = old_site(site)
    assert main(["--site", str(site), "publish", "--jobs", "1"]) == 0
    assert "Notes" in (html / "index.html").read_text()
    assert marked_as(html) is OutputKind.PUBLISHED
    assert outputs_beside(html) == ["html"]
    assert not (html / ".doctrees").exists()  # the deployed folder holds the site only
    assert html.stat().st_mode & 0o005 == 0o005  # a web server running as another user reads it


def test_a_preview_goes_to_its_own_folder_and_never_to_the_deployed_one(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    site = plain_site(tmp_path)
    html = old_site(site)
    assert main(["--site", str(site), "build", "--jobs", "1"]) == 0
    preview = site / "_build" / "preview"
    assert "Notes" in (preview / "index.html").read_text()
    assert marked_as(preview) is OutputKind.PREVIEW
    assert (html / "index.html").read_text() == "old"
    capfd.readouterr()
    # Asked to write the deployed folder, a preview is refused and touches nothing.
    assert main(["--site", str(site), "build", "--out", str(html), "--jobs", "1"]) == 2
    assert "holds a published site; a preview site goes in another folder" in capfd.readouterr().err
    assert (html / "index.html").read_text() == "old"


def test_a_refused_publish_after_a_preview_leaves_no_preview_in_the_deployed_folder(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(TEST_ROOT, site)
    assert main(["--site", str(site), "build", "--source", ".", "--jobs", "1"]) == 0
    assert main(["--site", str(site), "publish", "--source", ".", "--jobs", "1"]) == 1
    assert not (site / "_build" / "html").exists()
    assert sorted(p.name for p in (site / "_build").iterdir() if not p.name.startswith("doctrees")) \
        == ["preview"]


def test_a_publish_does_not_replace_a_preview(tmp_path: Path,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    site = plain_site(tmp_path)
    preview = site / "_build" / "preview"
    preview.mkdir(parents=True)
    mark(preview, OutputKind.PREVIEW)
    assert main(["--site", str(site), "publish", "--out", str(preview), "--jobs", "1"]) == 2
    assert "holds a preview site" in capfd.readouterr().err
    assert sorted(p.name for p in preview.iterdir()) == [MARK]


def test_a_claimed_folder_is_absent_empty_or_marked_by_the_same_command(tmp_path: Path) -> None:
    site = plain_site(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert claim(empty, OutputKind.PUBLISHED, site=site).path == empty
    assert claim(tmp_path / "absent", OutputKind.PREVIEW, site=site).path == tmp_path / "absent"
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "index.html").write_text("x")
    mark(ours, OutputKind.PREVIEW)
    assert claim(ours, OutputKind.PREVIEW, site=site).path == ours


def test_promotion_swaps_the_staging_folder_in_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    site = plain_site(tmp_path)
    output = claim(tmp_path / "out" / "html", OutputKind.PUBLISHED, site=site)
    staging = output.staging()
    (staging / "index.html").write_text("new")
    output.promote(staging)
    assert (tmp_path / "out" / "html" / "index.html").read_text() == "new"
    again = claim(tmp_path / "out" / "html", OutputKind.PUBLISHED, site=site)
    staging = again.staging()
    (staging / "index.html").write_text("newer")
    again.promote(staging)
    assert (tmp_path / "out" / "html" / "index.html").read_text() == "newer"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["html"]


def test_a_promotion_that_fails_puts_the_old_site_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from relnotes.core import outputs

    site = plain_site(tmp_path)
    html = old_site(site)
    output = claim(html, OutputKind.PUBLISHED, site=site)
    staging = output.staging()
    real_rename = outputs.os.rename

    def failing(source: object, target: object) -> None:
        if Path(str(source)) == staging:
            raise OSError("disk gone")
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "rename", failing)
    with pytest.raises(OSError, match="disk gone"):
        output.promote(staging)
    assert (html / "index.html").read_text() == "old"
    assert sorted(p.name for p in html.parent.iterdir() if not p.name.startswith(".html.staging")) \
        == ["html"]
