"""Keeps the theme's navigation tree bounded, so page rendering stays linear in site size.

Themes (furo, alabaster, pydata) render the whole toctree on every page; with thousands of issue
pages that is quadratic. Issue pages live in hidden toctrees of their component page and are
reached through it, the indices and search; the sidebar shows the levels above them.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from relnotes.config import relnotes_config


def bound_toctree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    toctree = context.get("toctree")
    if toctree is None:
        return
    depth = relnotes_config(app.config).navigation_depth

    def bounded(**kwargs: Any) -> Any:
        requested = int(kwargs.get("maxdepth", -1))
        kwargs["maxdepth"] = depth if requested <= 0 else min(requested, depth)
        # Sphinx walks hidden toctrees whatever maxdepth says; they hold the issue pages.
        kwargs["includehidden"] = False
        return toctree(**kwargs)

    context["toctree"] = bounded


def setup_navigation(app: Sphinx) -> None:
    # Before the theme's own html-page-context handler (furo's runs at 500) computes its tree.
    app.connect("html-page-context", bound_toctree, priority=400)


