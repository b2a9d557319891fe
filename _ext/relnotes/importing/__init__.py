"""Importing existing release notes (Bugzilla, a published section) into a site (Sphinx-free).

``add_import_parser`` mounts the ``import`` subcommand on a ``relnotes`` argparse parser;
``run_import`` runs it.
"""

from __future__ import annotations

from relnotes.importing.cli import add_import_parser, main, run_import

__all__ = ["add_import_parser", "main", "run_import"]
