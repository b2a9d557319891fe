"""Every code block on an issue page is a snippet, or is marked as not a workaround.

Readers copy code from issue pages; only a snippet (``rn:snippet``) is verified. A literal
block, ``code-block``, ``literalinclude``, console block or any other code an issue page shows
is a located error (warning subtype ``code_block``, and the publish gate refuses the site),
unless it is quoted output or an error message written with ``rn:output`` and a reason::

    ```{rn:output} error message
    :reason: what virsh prints when the model is unknown
    error: unsupported configuration: unknown sound model 'ac97'
    ```

Such a block carries a "Not a workaround: ..." label and no copy button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.core.pages import CODE_BLOCK_MESSAGE
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _
from relnotes.sphinxext.issue import issue_record
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

#: What a block may be instead of a workaround, and the words its label shows.
KINDS = {"output": _("output"), "error message": _("error message")}


class OutputDirective(SphinxDirective):
    """``{rn:output} output|error message`` with ``:reason:``: quoted text, not a workaround."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Callable[[str], str]]] = {
        "reason": directives.unchanged_required, "language": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        kind = self.arguments[0].strip()
        if kind not in KINDS:
            raise self.error(f"rn:output: {kind!r} is not one of {', '.join(map(repr, KINDS))}: "
                             "a workaround is shown with {rn:snippet}")
        reason = (self.options.get("reason") or "").strip()
        if not reason:
            raise self.error("rn:output: a :reason: is required (why this block is not a "
                             "workaround readers should copy)")
        text = "\n".join(self.content)
        container = nodes.container(classes=["rn-not-workaround"])
        label = nodes.paragraph(classes=["rn-not-workaround-label"])
        label += nodes.strong("", str(_("Not a workaround: %(kind)s") % {"kind": KINDS[kind]}))
        label += nodes.Text(f" ({reason})")
        block = nodes.literal_block(text, text, classes=["rn-not-workaround-code"],
                                    language=self.options.get("language", "text"))
        block["rn_not_workaround"] = True
        self.set_source_info(block)
        container += [label, block]
        return [container]


def _is_snippet(block: nodes.Element) -> bool:
    return "rn-snippet-code" in block["classes"] or bool(block.get("rn_not_workaround"))


def unmarked_blocks(doctree: nodes.document) -> list[nodes.Element]:
    """The code an issue page shows that is neither a snippet nor marked as output."""
    if next(iter(doctree.findall(issue_record)), None) is None:
        return []  # only issue pages: other pages may show what they like
    return [block for block in doctree.findall(
        lambda node: isinstance(node, (nodes.literal_block, nodes.doctest_block)))
        if isinstance(block, nodes.Element) and not _is_snippet(block)]


def check_code_blocks(app: Sphinx, doctree: nodes.document) -> None:
    found = []
    for block in unmarked_blocks(doctree):
        line = block.line or 0
        found.append(line)
        logger.warning(CODE_BLOCK_MESSAGE, location=block, type=WARNING_TYPE,
                       subtype=Subtype.CODE_BLOCK)
    relnotes_domain(app.env).note_unmarked_code(app.env.docname, found)


def setup_code_blocks(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "output", OutputDirective)
    # After the snippet directives and includes produced their blocks (read time).
    app.connect("doctree-read", check_code_blocks, priority=600)
