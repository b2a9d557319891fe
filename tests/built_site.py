"""The real site built in every language, as `make html` builds it, for tests that read the output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from relnotes.core.settings import load_settings

ROOT = Path(__file__).parent.parent
TRANSLATIONS = load_settings(ROOT).languages[1:]


def build_site(out: Path) -> Path:
    """English at ``out/html``, each translation at ``out/html/<language>``; ``-W``: no warning."""
    html = out / "html"
    for language in ("", *TRANSLATIONS):
        warnings = out / f"warnings-{language or 'en'}.txt"
        options = ["-D", f"language={language}"] if language else []
        # A process of its own, as `make html` runs it: sphinx-sitemap starts a
        # multiprocessing manager that must not outlive the build inside the test process.
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-w", str(warnings),
             "-c", str(ROOT), *options, "-d", str(out / f"doctrees-{language or 'en'}"),
             "-b", "html", str(ROOT / "source"), str(html / language)],
            capture_output=True, text=True,
        )
        assert done.returncode == 0, warnings.read_text() + done.stderr
    return html
