"""Text is shown and exported as written: ``--``, straight quotes and apostrophes stay as they are
in titles, prose, the issue list, the overview, ``issues.json`` and the BZ redirect pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx.application import Sphinx

from tests.sphinx_build import page, warnings_of

TITLE = ("\"virsh migrate --copy-storage-all\" doesn't copy the guest's disks -- use "
         "'--copy-storage-inc'")
PROSE = ("Run \"virsh migrate --copy-storage-all\" and the guest's disks aren't copied -- see "
         "'qemu-img'...")
#: What Sphinx's smart quotes (docutils' SmartQuotes) put in place of what was written.
TYPOGRAPHIC = set("\u2013\u2014\u2018\u2019\u201c\u201d\u2026")


def typographic(text: str) -> set[str]:
    return TYPOGRAPHIC & set(text)


@pytest.mark.sphinx("html", testroot="text-as-written", freshenv=True)
def test_titles_prose_lists_and_exports_keep_the_writers_characters(app: Sphinx) -> None:
    app.build()
    assert warnings_of(app) == []
    issue = page(app, "issues/migrate.html")
    assert issue.select_one("h1").get_text().rstrip("#¶") == TITLE
    assert PROSE in issue.get_text()
    assert issue.select_one("title").get_text().startswith(TITLE)
    listed = page(app, "components/comp.html").select(".rn-issue-list a[href$='migrate.html']")
    assert [link.get_text() for link in listed] == [TITLE]
    row = page(app, "overview.html").select_one("table.rn-overview-table a[href$='migrate.html']")
    assert row is not None and row.get_text() == TITLE
    [exported] = json.loads((Path(app.outdir) / "issues.json").read_text())["issues"]
    assert exported["title"] == TITLE
    redirect = (Path(app.outdir) / "bz" / "100001.html").read_text(encoding="utf-8")
    assert typographic(redirect) == set()
    assert typographic((Path(app.outdir) / "issues" / "migrate.html").read_text()) == set()


@pytest.mark.sphinx("html", testroot="text-as-written", freshenv=True,
                    confoverrides={"extensions": ["myst_parser"]})
def test_without_the_extension_sphinx_would_have_changed_them(app: Sphinx) -> None:
    # The check above can fail: Sphinx's default turns the same title typographic.
    app.build()
    title = page(app, "issues/migrate.html").select_one("h1").get_text()
    assert typographic(title) == {"\u2013", "\u2019", "\u201c", "\u201d", "\u2018"}
