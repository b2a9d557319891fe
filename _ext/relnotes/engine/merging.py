"""Merging per-target ledgers (one CI job each) into the ledger the site reads.

Records for a target that is not declared (a removed target, a ledger from another
branch) are left out with a warning: the site badges only declared targets, and a stray
record must not pass for one of them. Records of the same inputs whose results disagree
(``Ledger.conflicts``: different machines, so neither is provably newer) are errors, each
naming both records where they were read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from relnotes.core.ledger import Ledger, conflict_locations, load_ledger


@dataclass
class Merged:
    ledger: Ledger
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # located errors: nothing is written


def merge_declared(paths: Iterable[Path], declared: Iterable[str]) -> Merged:
    """Every machine's latest record per (snippet, target) of ``paths``, declared targets
    only, in memory (``relnotes verify merge`` streams instead: ``merge_streams``, the same
    rule)."""
    known = list(declared)
    merged = Merged(Ledger())
    located: dict[int, str] = {}
    for path in paths:
        ledger = load_ledger(path, located)
        unknown = Counter(r.target for r in ledger.all_records() if r.target not in known)
        for target, count in sorted(unknown.items()):
            merged.warnings.append(
                f"{path}: {count} record(s) for unknown target {target!r} left out of the "
                f"merged ledger (declared targets: {', '.join(known)})")
        for record in ledger.all_records():
            if record.target in known:
                merged.ledger.add(record)  # in place: merging L ledgers stays linear
        merged.ledger.sequence = max(merged.ledger.sequence, ledger.sequence)
    merged.conflicts += [conflict_locations(records, located)
                         for records in merged.ledger.conflicts()]
    return merged
