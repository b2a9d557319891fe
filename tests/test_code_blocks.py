"""Every code block on an issue page is a snippet, or marked as quoted output with a reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.cli import main
from sphinx.application import Sphinx

from tests.conftest import ROOTS
from tests.sphinx_build import page, warning_at, warnings_of


@pytest.mark.sphinx("html", testroot="code-blocks", freshenv=True)
def test_every_code_block_an_issue_page_shows_that_is_not_a_snippet_is_a_located_error(
        app: Sphinx) -> None:
    app.build()
    source = str(app.srcdir / "issue.md")
    for line in (11, 15, 18, 22, 24):  # xml, literalinclude, console, indented, code-block
        warning_at(app, source, line, "a code block on an issue page must be a snippet")
    found = [w for w in warnings_of(app) if "must be a snippet" in w]
    assert len(found) == 5, found
    assert all("[relnotes.code_block]" in w for w in found)
    # a page that is not an issue page may show what it likes
    assert not [w for w in found if "notes.md" in w]


@pytest.mark.sphinx("html", testroot="code-blocks", freshenv=True)
def test_quoted_output_carries_its_label_and_no_copy_invitation(app: Sphinx) -> None:
    app.build()
    [block] = page(app, "issue.html").select("div.rn-not-workaround")
    label = block.select_one(".rn-not-workaround-label").get_text(" ", strip=True)
    assert label == "Not a workaround: error message (what libvirt prints for an unknown model)"
    assert "unknown model 'ac97'" in block.select_one("pre").get_text()
    assert "rn-snippet" not in " ".join(block.parent.get("class", []))


@pytest.mark.sphinx("html", testroot="code-blocks", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_the_publish_gate_refuses_an_issue_page_with_code_that_is_not_a_snippet(
        app: Sphinx) -> None:
    app.build()
    assert app.statuscode == 1
    text = app.warning.getvalue()  # type: ignore[attr-defined]
    assert "Publish refused: " in text
    assert (f"{app.srcdir / 'issue.md'}:11: a code block that is not a snippet (show it with "
            "{rn:snippet}, or mark quoted output with {rn:output})") in text


def test_relnotes_check_reports_each_code_block_of_an_issue_page_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "test-code-blocks", site)
    (site / "source").mkdir()
    for name in ("index.md", "issue.md", "notes.md"):
        (site / name).rename(site / "source" / name)
    assert main(["--site", str(site), "check"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "[relnotes.code_block]" in line]
    assert [line.split(":")[1] for line in lines] == ["11", "15", "18", "22", "24"]
    assert all(line.startswith("source/issue.md:") for line in lines)
    assert "must be a snippet ({rn:snippet})" in lines[0]
