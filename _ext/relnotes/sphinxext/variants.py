"""The ``rn:as-published`` directive: the workaround as first published, folded after the one
that works today.

A reader comes for what works on their version; the published text stays on the page for the
record (and is still verified, each snippet with its line of status), but collapsed under a
summary that says what it is. In formats without a disclosure it is a plain section.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from relnotes.sphinxext.language_marks import foreign_language, lang_attribute


class published_variant(nodes.General, nodes.Element):
    """A folded variant; ``summary`` is what the closed disclosure says."""


class AsPublishedDirective(SphinxDirective):
    """Folds its content under the summary given as the argument."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        node = published_variant(summary=self.arguments[0], classes=["rn-as-published"])
        self.set_source_info(node)
        node += self.parse_content_to_nodes(allow_section_headings=False)
        return [node]


def _visit_html(translator: Any, node: published_variant) -> None:
    translator.body.append(translator.starttag(node, "details", CLASS="rn-as-published"))
    # The summary is the page's words as written, never a message: on a translation it is in
    # the source language, and says so.
    lang = lang_attribute(foreign_language(translator.builder.config))
    translator.body.append(f"<summary{lang}>{translator.encode(node['summary'])}</summary>\n")


def _depart_html(translator: Any, node: published_variant) -> None:
    translator.body.append("</details>\n")


def _visit_other(translator: Any, node: published_variant) -> None:
    pass  # no disclosure: the content follows as it is


def _depart_other(translator: Any, node: published_variant) -> None:
    pass


def setup_variants(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "as-published", AsPublishedDirective)
    app.add_node(published_variant, html=(_visit_html, _depart_html),
                 text=(_visit_other, _depart_other), latex=(_visit_other, _depart_other),
                 gettext=(_visit_other, _depart_other))
