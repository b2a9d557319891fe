"""Reading what a sphinx.testing build produced: parsed HTML and warnings by location."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from sphinx.application import Sphinx

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def page(app: Sphinx, name: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / name).read_text(encoding="utf-8"), "html.parser")


def evidence(app: Sphinx, docname: str, anchor: str) -> Tag | None:
    """A snippet's evidence: its part of the evidence page of ``docname`` (e.g. "issue"),
    found by the snippet's anchor without "snippet-" (e.g. "comp-verified-xml")."""
    path = Path(app.outdir) / docname / "evidence.html"
    if not path.is_file():
        return None
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    found = soup.select_one(f'section.rn-evidence[id="snippet-{anchor}"] div.rn-evidence-body')
    return found if isinstance(found, Tag) else None


def warnings_of(app: Sphinx) -> list[str]:
    text = ANSI.sub("", app.warning.getvalue())  # type: ignore[attr-defined]
    return [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line]


def warning_at(app: Sphinx, filename: str, line: int | None, fragment: str) -> str:
    """The one warning at ``filename:line`` containing ``fragment``; fails naming all others."""
    location = f"{filename}:{line}:" if line is not None else f"{filename}"
    found = [w for w in warnings_of(app) if location in w and fragment in w]
    assert len(found) == 1, f"no single warning at {location} with {fragment!r} in {warnings_of(app)}"
    return found[0]
