"""Pages that cannot be read as text are refused at file:line before Sphinx reads them.

Sphinx decodes each source with ``read_text`` and a page that is not valid in the configured
encoding ends the build with a traceback; here it is a located warning instead, and the page
is left out of the build (so ``-W`` fails, naming it). So is a page that is not a regular file
(a FIFO would block the build) or is larger than ``PAGE_SIZE_LIMIT``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.pages import PAGE_SIZE_LIMIT
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


def refuse_undecodable(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    encoding = env.settings.get("input_encoding", "utf-8-sig")
    for docname in list(docnames):
        path = env.doc2path(docname)
        try:
            data = read_bounded(path, PAGE_SIZE_LIMIT, what="page")
        except InputFileError as error:
            if not path.exists():
                continue  # Sphinx reports a missing file itself
            docnames.remove(docname)  # a FIFO would block the build, a device never end it
            env.project.docnames.discard(docname)  # nor written: there is no doctree
            node = nodes.Element()
            node.source, node.line = str(path), 1
            logger.warning("%s; not read", str(error).removeprefix(f"{path}: "), location=node,
                           type=WARNING_TYPE, subtype=Subtype.PAGE)
            continue
        try:
            data.decode(encoding)
        except UnicodeDecodeError as error:
            docnames.remove(docname)
            env.project.docnames.discard(docname)
            node = nodes.Element()
            node.source, node.line = str(path), data[:error.start].count(b"\n") + 1
            logger.warning("page is not %s text (byte %d); not read", encoding, error.start,
                           location=node, type=WARNING_TYPE, subtype=Subtype.PAGE)
        except LookupError:
            return  # an unknown encoding is Sphinx's configuration error to report


def setup_page_check(app: Sphinx) -> None:
    # Before any page is read, on the list of pages about to be read (changed in place).
    app.connect("env-before-read-docs", refuse_undecodable, priority=500)
