"""Keeps the theme's navigation tree bounded and shared, so rendering stays linear in site size.

Themes (furo, alabaster, pydata) render the whole toctree on every page; with thousands of issue
pages that is quadratic. Issue pages live in hidden toctrees of their component page and are
reached through it, the indices and search; the sidebar shows the levels above them. That
bounded tree is the same for every page in the same folder with the same ancestors, so it is
rendered once per such group and reused.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from relnotes.sphinxext.config import relnotes_config


class BoundedNavigation:
    """The ``toctree()`` template function, bounded in depth and memoised per page group.

    One instance per build (made on builder-inited), so nothing outlives a build.
    """

    def __init__(self, app: Sphinx) -> None:
        self.depth = relnotes_config(app.config).navigation_depth
        self.rendered: dict[tuple[Any, ...], Any] = {}
        self._parents: dict[str, set[str]] | None = None
        self._visible: set[str] | None = None

    def visible(self, env: BuildEnvironment) -> set[str]:
        """Pages the bounded tree shows: reached from the root through visible toctrees."""
        if self._visible is None:
            self._visible = set()
            level = [env.config.root_doc]
            for _ in range(self.depth):
                following = []
                for docname in level:
                    toc = env.tocs.get(docname)
                    if toc is None:
                        continue
                    for node in toc.findall(addnodes.toctree):
                        if node.get("hidden"):
                            continue
                        for _title, ref in node["entries"]:
                            if ref not in self._visible:
                                self._visible.add(ref)
                                following.append(ref)
                level = following
        return self._visible

    def ancestors(self, env: BuildEnvironment, docname: str) -> tuple[str, ...]:
        if self._parents is None:
            self._parents = {}
            for parent, children in env.toctree_includes.items():
                for child in children:
                    self._parents.setdefault(child, set()).add(parent)
        found: list[str] = []
        pending = [docname]
        while pending:
            for parent in sorted(self._parents.get(pending.pop(), ())):
                if parent not in found:
                    found.append(parent)
                    pending.append(parent)
        return tuple(sorted(found))

    def page_context(
        self, app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
    ) -> None:
        toctree: Callable[..., Any] | None = context.get("toctree")
        if toctree is None:
            return
        # What the rendered tree depends on: where relative links start, which entries are
        # marked current (the page itself and its ancestors), and the theme's arguments.
        shown = pagename if pagename in self.visible(app.env) else None
        group = (posixpath.dirname(pagename), shown, self.ancestors(app.env, pagename))

        def bounded(**kwargs: Any) -> Any:
            requested = int(kwargs.get("maxdepth", -1))
            kwargs["maxdepth"] = self.depth if requested <= 0 else min(requested, self.depth)
            # Sphinx walks hidden toctrees whatever maxdepth says; they hold the issue pages.
            kwargs["includehidden"] = False
            key = (group, tuple(sorted(kwargs.items())))
            if key not in self.rendered:
                self.rendered[key] = toctree(**kwargs)
            return self.rendered[key]

        context["toctree"] = bounded


def _start_build(app: Sphinx) -> None:
    navigation = BoundedNavigation(app)
    # Before the theme's own html-page-context handler (furo's runs at 500) computes its tree.
    app.connect("html-page-context", navigation.page_context, priority=400)


def setup_navigation(app: Sphinx) -> None:
    app.connect("builder-inited", _start_build, priority=500)
