"""Benchmark of the mutants' cost; prints figures for benchmarks/RESULTS.md.

    PYTHONPATH=_ext python benchmarks/bench_mutants.py [--targets T,...] [--jobs 2]

In one run, on warm images: (0) the forced doctest of the kvm snippets on every target
without mutants, as the reference; (1) the same doctest with mutants (what ``relnotes
verify`` runs), and its ratio to (0); (2) a re-run with nothing changed (mutants included:
their results are reused with their records). Not a timed test: it reports, the reader judges
against the targets (mutants <= 3x without, re-run < 3 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from relnotes.engine.container import TARGETS, ensure_image, get_target, running_daemon
from relnotes.engine.reuse import image_identity
from relnotes.engine.runner import run

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    targets = args.targets.split(",")
    for target in targets:
        ensure_image(get_target(target))  # warm images: building is not the subject here

    def identity(target: str) -> Any:  # as the CLI does: no daemon when nothing changed
        return image_identity(target, "auto")

    with tempfile.TemporaryDirectory(prefix="bench-mutants-") as scratch:
        start = time.monotonic()
        plain = run(SNIPPETS, Path(scratch), targets, running_daemon, force=True,
                    jobs=args.jobs, log=lambda _line: None, mutate=False)
        plain_time = time.monotonic() - start
    with tempfile.TemporaryDirectory(prefix="bench-mutants-") as scratch:
        out = Path(scratch)
        start = time.monotonic()
        mutated = run(SNIPPETS, out, targets, running_daemon, force=True, jobs=args.jobs,
                      log=lambda _line: None)
        mutated_time = time.monotonic() - start
        start = time.monotonic()
        again = run(SNIPPETS, out, targets, running_daemon, force=False, jobs=args.jobs,
                    log=lambda _line: None, identity=identity)
        rerun_time = time.monotonic() - start
    mutants = sum(r.mutation.total for r in mutated.records if r.mutation is not None)
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; jobs per daemon: {args.jobs}; "
          f"targets: {', '.join(targets)}")
    print(f"doctest without mutants (forced): {plain_time:.1f} s — {plain.summary()}")
    print(f"doctest with mutants (forced): {mutated_time:.1f} s — {mutated.summary()}; "
          f"{mutants} mutants; {mutated_time / plain_time:.2f}x without")
    print(f"re-run, nothing changed: {rerun_time:.2f} s — {again.reused} checks reused, "
          f"{again.ran} ran")


if __name__ == "__main__":
    main()
