"""A site that enables sphinx-tabs: an issue page's code tabs are code blocks like any other.

The site itself uses no tabs (they hid the working fix behind a tab); other teams' sites may
enable ``sphinx_tabs.tabs``, and a ``code-tab`` on an issue page must then be a snippet too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.cli import main
from sphinx.application import Sphinx

from tests.conftest import ROOTS
from tests.sphinx_build import page, warning_at, warnings_of


@pytest.mark.sphinx("html", testroot="code-tabs", freshenv=True)
def test_a_code_tab_on_an_issue_page_that_is_not_a_snippet_is_a_located_error(app: Sphinx) -> None:
    app.build()
    found = [w for w in warnings_of(app) if "must be a snippet" in w]
    assert len(found) == 1, found
    warning_at(app, str(app.srcdir / "issue.md"), 16, "a code block on an issue page must be a snippet")
    assert "[relnotes.code_block]" in found[0]
    # The snippet in a tab is a snippet; a page that is not an issue page may show code tabs.
    assert not [w for w in found if "notes.md" in w]


@pytest.mark.sphinx("html", testroot="code-tabs", freshenv=True)
def test_a_snippet_in_a_tab_keeps_its_copy_control_and_bytes(app: Sphinx) -> None:
    app.build()
    html = page(app, "issue.html")
    tabs = html.select("div.sphinx-tabs [role=tabpanel]")
    assert len(tabs) == 2
    [snippet] = tabs[0].select("div.rn-snippet")
    assert snippet.select_one("template.rn-snippet-bytes") is not None


@pytest.mark.sphinx("html", testroot="code-tabs", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_the_publish_gate_refuses_an_issue_page_with_a_code_tab_that_is_not_a_snippet(
        app: Sphinx) -> None:
    app.build()
    assert app.statuscode == 1
    text = app.warning.getvalue()  # type: ignore[attr-defined]
    assert f"{app.srcdir / 'issue.md'}:16: a code block that is not a snippet" in text


def test_relnotes_check_reports_a_code_tab_of_an_issue_page_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOTS / "test-code-tabs", site)
    (site / "source").mkdir()
    for name in ("index.md", "issue.md", "notes.md"):
        (site / name).rename(site / "source" / name)
    assert main(["--site", str(site), "check"]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines()
             if "[relnotes.code_block]" in line]
    assert lines == [line for line in lines if line.startswith("source/issue.md:16:")]
    assert len(lines) == 1
