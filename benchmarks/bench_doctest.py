"""Benchmark of the snippet doctest (issue 4); prints figures for benchmarks/RESULTS.md.

    PYTHONPATH=_ext python benchmarks/bench_doctest.py [--targets bookworm,trixie] [--cycles 7]

In one run: (1) the full doctest of the kvm snippets on every target, forced, with warm images;
(2) the median check against a bare define+start+destroy of the same base guest; (3) a re-run
with nothing changed. Not a timed test: it reports, the reader judges against the targets
(<= 90 s, <= 2x, <= 10 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import libvirt
from relnotes.ledger import Environment
from relnotes.verify.container import adapt_to_accelerator, ensure_image, get_target, running_daemon
from relnotes.verify.plan import plan_checks
from relnotes.verify.procedure import Procedure
from relnotes.verify.runner import run

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"


def bare_cycle(target: str, cycles: int) -> tuple[float, float, str]:
    """Median seconds to define, start, destroy and undefine the base guest, and the median
    effect check run one at a time on the same daemon (no contention from parallel checks)."""
    base = (SNIPPETS / "_guests/minimal.xml").read_text()
    times = []
    with running_daemon(target) as daemon:
        connection = libvirt.open(daemon.uri)
        for index in range(cycles + 1):
            xml = adapt_to_accelerator(base.replace("@GUEST@", f"bench-{index}"),
                                       daemon.domain_type)
            start = time.monotonic()
            domain = connection.defineXML(xml)
            domain.create()
            domain.destroy()
            domain.undefine()
            if index:  # the first is a warm-up
                times.append(time.monotonic() - start)
        connection.close()
        label = Environment.of(daemon.environment).label
        libvirt.registerErrorHandler(lambda _context, _error: None, None)
        serial = []
        for check in plan_checks(SNIPPETS):
            if check.driver.effects and not check.driver.not_verifiable:
                outcome = Procedure(check, daemon, target, f"bench-{len(serial)}").run()
                if "effect" in outcome.layers:
                    serial.append(outcome.duration)
    return statistics.median(times), statistics.median(serial), label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", default="bookworm,trixie")
    parser.add_argument("--cycles", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    targets = args.targets.split(",")
    for target in targets:
        ensure_image(get_target(target))  # warm images: building is issue 3's benchmark
    with tempfile.TemporaryDirectory(prefix="bench-doctest-") as scratch:
        out = Path(scratch)
        start = time.monotonic()
        full = run(SNIPPETS, out, targets, running_daemon, force=True, jobs=args.jobs,
                   log=lambda _line: None)
        full_time = time.monotonic() - start
        start = time.monotonic()
        again = run(SNIPPETS, out, targets, running_daemon, force=False, jobs=args.jobs,
                    log=lambda _line: None)
        rerun_time = time.monotonic() - start
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; jobs per daemon: {args.jobs}")
    print(f"full doctest ({', '.join(targets)}, forced): {full_time:.1f} s — {full.summary()}"
          f" ({full.ran} checks)")
    print(f"re-run, nothing changed: {rerun_time:.1f} s — {again.reused} checks reused, "
          f"{again.ran} ran")
    for target in targets:
        checks = {r.check: r.duration for r in full.records
                  if r.target == target and r.layers.get("effect")}
        bare, serial, label = bare_cycle(target, args.cycles)
        median = statistics.median(checks.values())
        print(f"{target} ({label}): bare define+start+destroy {bare:.2f} s; median effect "
              f"check {serial:.2f} s one at a time ({serial / bare:.2f}x), {median:.2f} s "
              f"inside the parallel full run ({median / bare:.2f}x), over {len(checks)} checks")


if __name__ == "__main__":
    main()
