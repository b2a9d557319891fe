"""Release notes as a Sphinx domain, with workaround snippets verified against real libvirt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from relnotes.sphinxext.as_written import setup_as_written
from relnotes.sphinxext.assets import setup_assets
from relnotes.sphinxext.bzlinks import setup_bzlinks
from relnotes.sphinxext.claims import setup_claims
from relnotes.sphinxext.code_blocks import setup_code_blocks
from relnotes.sphinxext.collector import setup_collector
from relnotes.sphinxext.compatibility import setup_compatibility
from relnotes.sphinxext.config import setup_config
from relnotes.sphinxext.confinement import setup_confinement
from relnotes.sphinxext.domain import setup_domain
from relnotes.sphinxext.evidence_pages import setup_evidence_pages
from relnotes.sphinxext.export import setup_export
from relnotes.sphinxext.feed import setup_feed
from relnotes.sphinxext.highlight_styles import setup_highlight_styles
from relnotes.sphinxext.hosting import setup_hosting
from relnotes.sphinxext.i18n import setup_i18n
from relnotes.sphinxext.issue import setup_issue_directives
from relnotes.sphinxext.language_marks import setup_language_marks
from relnotes.sphinxext.lifecycle import setup_lifecycle
from relnotes.sphinxext.navigation import setup_navigation
from relnotes.sphinxext.output import setup_output
from relnotes.sphinxext.overview import setup_overview
from relnotes.sphinxext.page_check import setup_page_check
from relnotes.sphinxext.publish_gate import setup_publish_gate
from relnotes.sphinxext.releases import setup_releases
from relnotes.sphinxext.rendering import setup_rendering
from relnotes.sphinxext.snippet import setup_snippets
from relnotes.sphinxext.spec_check import setup_spec_check
from relnotes.sphinxext.status_line import setup_status_line
from relnotes.sphinxext.theme_words import setup_theme_words
from relnotes.sphinxext.titles import setup_titles
from relnotes.sphinxext.variants import setup_variants
from relnotes.sphinxext.verification import setup_verification

__version__ = "0.1.0"
HERE = Path(__file__).parent


def _add_static_files(app: Sphinx, config: Config) -> None:
    config.html_static_path.append(str(HERE / "static"))


def setup(app: Sphinx) -> dict[str, Any]:
    setup_config(app)
    setup_domain(app)
    setup_page_check(app)
    setup_confinement(app)
    setup_issue_directives(app)
    setup_snippets(app)
    setup_code_blocks(app)
    setup_variants(app)
    setup_spec_check(app)
    setup_verification(app)
    setup_evidence_pages(app)
    setup_publish_gate(app)
    setup_claims(app)
    setup_bzlinks(app)
    setup_collector(app)
    setup_rendering(app)
    setup_releases(app)
    setup_export(app)
    setup_feed(app)
    setup_lifecycle(app)
    setup_navigation(app)
    setup_output(app)
    setup_overview(app)
    setup_compatibility(app)
    setup_status_line(app)
    setup_i18n(app)
    setup_language_marks(app)
    setup_theme_words(app)
    setup_hosting(app)
    setup_assets(app)
    setup_highlight_styles(app)
    setup_titles(app)
    setup_as_written(app)
    app.connect("config-inited", _add_static_files, priority=800)
    app.add_js_file("relnotes.js")
    app.add_css_file("relnotes.css")
    return {
        "version": __version__,
        "env_version": 4,  # bump whenever the domain data changes shape
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
