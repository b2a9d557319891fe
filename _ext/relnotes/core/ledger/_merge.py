"""Ledger files merged in memory (Sphinx-free): small ledgers, e.g. the site's and one run's."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from relnotes.core.ledger._ledger import Ledger
from relnotes.core.ledger._reading import load_ledger


def merge_files(paths: Iterable[Path]) -> Ledger:
    """One ledger from several (e.g. one per machine): per snippet, target and machine, the
    record of its latest run (``supersedes``); other machines' records stand beside it."""
    merged = Ledger()
    for path in paths:
        merged = merged.merge(load_ledger(path))
    return merged
