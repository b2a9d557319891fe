"""Reading what a sphinx.testing build produced: parsed HTML and warnings by location."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup
from sphinx.application import Sphinx

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def page(app: Sphinx, name: str) -> BeautifulSoup:
    return BeautifulSoup((Path(app.outdir) / name).read_text(encoding="utf-8"), "html.parser")


def warnings_of(app: Sphinx) -> list[str]:
    text = ANSI.sub("", app.warning.getvalue())  # type: ignore[attr-defined]
    return [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line]


def warning_at(app: Sphinx, filename: str, line: int | None, fragment: str) -> str:
    """The one warning at ``filename:line`` containing ``fragment``; fails naming all others."""
    location = f"{filename}:{line}:" if line is not None else f"{filename}"
    found = [w for w in warnings_of(app) if location in w and fragment in w]
    assert len(found) == 1, f"no single warning at {location} with {fragment!r} in {warnings_of(app)}"
    return found[0]
