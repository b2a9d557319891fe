"""Merging per-target ledgers (one CI job each) into the ledger the site reads.

Records for a target that is not declared (a removed target, a ledger from another
branch) are left out with a warning: the site badges only declared targets, and a stray
record must not pass for one of them. Records of the same inputs whose results disagree
(``Ledger.conflicts``: different machines, so neither is provably newer) are errors, each
naming both records where they were read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from relnotes.core.ledger import Ledger, load_ledger, provenance


@dataclass
class Merged:
    ledger: Ledger
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # located errors: nothing is written


def merge_declared(paths: Iterable[Path], declared: Iterable[str]) -> Merged:
    """The newest record per (snippet, target) of ``paths``, declared targets only."""
    known = list(declared)
    merged = Merged(Ledger())
    located: dict[int, str] = {}
    for path in paths:
        ledger = load_ledger(path, located)
        for target in ledger.targets():
            if target not in known:
                count = sum(1 for _, t in ledger.records if t == target)
                merged.warnings.append(
                    f"{path}: {count} record(s) for unknown target {target!r} left out of the "
                    f"merged ledger (declared targets: {', '.join(known)})")
        kept = Ledger({key: record for key, record in ledger.records.items()
                       if key[1] in known})
        merged.ledger = merged.ledger.merge(kept)
    for records in merged.ledger.conflicts():
        first = records[0]
        merged.conflicts.append(
            f"{first.snippet} on {first.target}: " + "; ".join(
                f"{located.get(id(record), '?')}: {record.result.value} on "
                f"{provenance(record)}, run {record.run_id or '?'}, started "
                f"{record.verified_at:%Y-%m-%d %H:%M} UTC" for record in records)
            + ": runs of the same inputs disagree and neither is provably newer (different "
            "machines); re-run the check on one machine (relnotes verify --target "
            f"{first.target} --force) and merge its ledger instead of these")
    return merged
