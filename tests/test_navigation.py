"""The bounded, shared navigation tree that keeps page rendering linear."""

from __future__ import annotations

from typing import Any

import pytest
from relnotes.sphinxext.navigation import BoundedNavigation
from sphinx.application import Sphinx

from tests.sphinx_build import page


class RecordingToctree:
    """Stands in for Sphinx's per-page ``toctree()``: records each real rendering."""

    def __init__(self, pagename: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.pagename, self.calls = pagename, calls

    def __call__(self, **kwargs: Any) -> str:
        self.calls.append((self.pagename, kwargs))
        return f"<nav for {self.pagename}>"


def render(navigation: BoundedNavigation, app: Sphinx, pagename: str,
           calls: list[tuple[str, dict[str, Any]]], **kwargs: Any) -> str:
    context: dict[str, Any] = {"toctree": RecordingToctree(pagename, calls)}
    navigation.page_context(app, pagename, "page.html", context, None)
    return str(context["toctree"](**kwargs))


@pytest.mark.sphinx("html", testroot="basic")
def test_tree_is_bounded_and_rendered_once_per_page_group(app: Sphinx) -> None:
    app.build()
    navigation = BoundedNavigation(app)
    calls: list[tuple[str, dict[str, Any]]] = []
    furo_args = {"collapse": False, "titles_only": True, "maxdepth": -1, "includehidden": True}
    first = render(navigation, app, "issues/alpha", calls, **furo_args)
    again = render(navigation, app, "issues/beta", calls, **furo_args)
    # Both issue pages sit in issues/ under the same component: one rendering serves both.
    assert first == again == "<nav for issues/alpha>"
    assert len(calls) == 1
    assert calls[0][1]["maxdepth"] == 1 and calls[0][1]["includehidden"] is False
    # A page the tree shows is marked current in it, so it gets its own rendering, and so
    # does a page in another folder (its relative links differ).
    assert render(navigation, app, "components/comp", calls, **furo_args) == "<nav for components/comp>"
    assert render(navigation, app, "index", calls, **furo_args) == "<nav for index>"
    assert len(calls) == 3
    # Other arguments are other renderings.
    render(navigation, app, "issues/gamma", calls, maxdepth=2, collapse=True)
    assert calls[-1] == ("issues/gamma", {"maxdepth": 1, "collapse": True, "includehidden": False})


@pytest.mark.sphinx("html", testroot="basic", confoverrides={"html_theme": "furo"},
                    srcdir="navigation-furo", freshenv=True)
def test_issue_pages_show_the_components_not_every_issue(app: Sphinx) -> None:
    app.build()
    for name in ("issues/alpha.html", "issues/gamma.html", "components/comp.html"):
        tree = page(app, name).select_one(".sidebar-tree")
        links = [a.get_text() for a in tree.select("a")]
        assert links == ["comp", "About"], (name, links)
