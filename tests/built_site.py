"""The real site built in every language, as `make html` builds it, for tests that read the output."""

from __future__ import annotations

from pathlib import Path

from sphinx.cmd.build import build_main

ROOT = Path(__file__).parent.parent
TRANSLATIONS = ("ja",)  # conf.py's relnotes_languages after the first


def build_site(out: Path) -> Path:
    """English at ``out/html``, each translation at ``out/html/<language>``; ``-W``: no warning."""
    html = out / "html"
    for language in ("", *TRANSLATIONS):
        warnings = out / f"warnings-{language or 'en'}.txt"
        options = ["-D", f"language={language}"] if language else []
        status = build_main(["-q", "-W", "--keep-going", "-w", str(warnings), "-c", str(ROOT),
                             *options, "-d", str(out / f"doctrees-{language or 'en'}"),
                             "-b", "html", str(ROOT / "source"), str(html / language)])
        assert status == 0, warnings.read_text()
    return html
