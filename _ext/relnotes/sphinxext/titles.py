"""Titles are text: raw HTML in a heading is shown as written, never passed through.

MyST passes inline HTML through as raw nodes. A title is copied wherever the page is listed
(toctrees, navigation, previous/next links), so raw HTML in it would run on every one of those
pages; turning it into text before Sphinx collects the title covers all of them.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform


class PlainTitles(SphinxTransform):
    # Any read-time priority works: Sphinx collects titles after every transform has run.
    default_priority = 500

    def apply(self, **kwargs: object) -> None:
        for title in list(self.document.findall(nodes.title)):
            for raw in list(title.findall(nodes.raw)):
                raw.replace_self(nodes.Text(raw.astext()))


def setup_titles(app: Sphinx) -> None:
    app.add_transform(PlainTitles)
