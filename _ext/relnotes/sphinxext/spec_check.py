"""Check specs in the docs build: every problem of every spec is a located warning.

The verifier refuses a broken spec before it runs anything; reporting the same problems here
means ``sphinx-build -nW`` fails on them too, without a daemon.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from relnotes.core.spec import SpecError, spec_problem_message, spec_problems
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.snippet import snippets_dir
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


def spec_location(error: SpecError) -> nodes.Node:
    # Sphinx reads a string location as a docname; a node carries a plain file path.
    node = nodes.Element()
    node.source, node.line = str(error.file), error.line or 1
    return node


def check_specs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    root = snippets_dir(app)
    if not root.is_dir():
        return
    for error in spec_problems(root, relnotes_config(app.config).snippet_size_limit):
        logger.warning(spec_problem_message(error), location=spec_location(error),
                       type=WARNING_TYPE, subtype=Subtype.SPEC)


def setup_spec_check(app: Sphinx) -> None:
    # On every build (this event fires even when no page is to be read): specs are no page's
    # dependency, so a build after editing only a spec would not look at it otherwise.
    app.connect("env-before-read-docs", check_specs, priority=500)
