"""The real site built in every language, as `make html` builds it, for tests that read the output."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from relnotes.core.settings import load_settings

ROOT = Path(__file__).parent.parent
TRANSLATIONS = load_settings(ROOT).languages[1:]


def verified_project(out: Path) -> Path:
    """A copy of the site's sources with the hand-made ledger of ``tests/browser/sample_ledger``
    where relnotes.toml expects the ledger, so pages read as a verified site has them whatever
    ledger this checkout holds."""
    from tests.browser.sample_ledger import write_sample_ledger

    project = out / "project"
    project.mkdir()
    for name in ("conf.py", "relnotes.toml", "favicon.svg"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("source", "snippets"):
        shutil.copytree(ROOT / name, project / name)
    settings = load_settings(project)
    write_sample_ledger(settings.snippets_dir, settings.ledger)
    return project


def build_site(out: Path, project: Path = ROOT) -> Path:
    """English at ``out/html``, each translation at ``out/html/<language>``; ``-W``: no warning."""
    html = out / "html"
    for language in ("", *TRANSLATIONS):
        warnings = out / f"warnings-{language or 'en'}.txt"
        options = ["-D", f"language={language}"] if language else []
        # A process of its own, as `make html` runs it: sphinx-sitemap starts a
        # multiprocessing manager that must not outlive the build inside the test process.
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-w", str(warnings),
             "-c", str(project), *options, "-d", str(out / f"doctrees-{language or 'en'}"),
             "-b", "html", str(project / "source"), str(html / language)],
            capture_output=True, text=True,
        )
        assert done.returncode == 0, warnings.read_text() + done.stderr
    return html
