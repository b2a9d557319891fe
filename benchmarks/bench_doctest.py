"""Benchmark of the snippet doctest; prints figures for benchmarks/RESULTS.md.

    PYTHONPATH=_ext python benchmarks/bench_doctest.py [--targets T,...] [--baseline T,...]
                                                       [--cycles 7] [--skip-serial]

In one run: (0) the full doctest on the ``--baseline`` targets (default: bookworm and trixie,
the two targets of before), forced, as the reference; (1) the full doctest of the kvm snippets
on every target (default: every declared target), forced, with warm images, and its ratio to
(0); (2) the median check against a bare define+start+destroy of the same base guest; (3) a
re-run with nothing changed. Not a timed test: it reports, the reader judges against the
targets (four targets <= 2x two, re-run <= 3 s, check <= 2x a bare cycle).

The effect checks of (2) run one at a time as one run of those checks: they share the run's
control observations (each made once, on one control guest per base guest and setup), exactly
as in a full run; the figures say how many control guests were started and how many podman
execs each check made.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import libvirt
from relnotes.core.plan import plan_checks
from relnotes.engine.container import (
    TARGETS,
    RunningDaemon,
    adapt_to_accelerator,
    ensure_image,
    get_target,
    running_daemon,
)
from relnotes.engine.controls import Controls
from relnotes.engine.procedure import Procedure
from relnotes.engine.reuse import image_identity
from relnotes.engine.runner import run

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"


class CountingDaemon:
    """The daemon, counting the podman execs a check makes."""

    def __init__(self, daemon: RunningDaemon) -> None:
        self.daemon = daemon
        self.execs = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.daemon, name)

    def exec(self, argv: list[str], **options: Any) -> subprocess.CompletedProcess[bytes]:
        self.execs += 1
        return self.daemon.exec(argv, **options)

    def write_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.execs += 1
        self.daemon.write_file(path, data, mode)


@dataclass
class Serial:
    bare: float  # median define+start+destroy+undefine
    checks: dict[str, float]  # effect check -> seconds, one at a time
    execs: dict[str, int]  # effect check -> podman execs
    ran: int  # checks run (some stop before their effect, e.g. a declared failure)
    control_guests: int  # started for all of them
    label: str


def bare_cycle(target: str, cycles: int) -> Serial:
    """Median seconds to define, start, destroy and undefine the base guest, and the effect
    checks run one at a time on the same daemon (no contention from parallel checks)."""
    base = (SNIPPETS / "_guests/minimal.xml").read_text()
    times = []
    with running_daemon(target) as daemon:
        connection = libvirt.open(daemon.uri)
        for index in range(cycles + 1):
            xml = adapt_to_accelerator(base.replace("@GUEST@", f"bench-{index}"),
                                       daemon.domain_type,
                                       libvirt_version=daemon.environment.libvirt_version)
            start = time.monotonic()
            domain = connection.defineXML(xml)
            domain.create()
            domain.destroy()
            domain.undefine()
            if index:  # the first is a warm-up
                times.append(time.monotonic() - start)
        connection.close()
        environment = daemon.environment
        libvirt.registerErrorHandler(lambda _context, _error: None, None)
        checks = [check for check in plan_checks(SNIPPETS)
                  if check.driver.effects and not check.driver.not_verifiable]
        controls = Controls(environment.key(), checks)  # one run of these checks
        serial, execs, control_guests = {}, {}, 0
        for index, check in enumerate(checks):
            counting = CountingDaemon(daemon)
            outcome = Procedure(check, counting, target, f"bench-{index}",
                                controls=controls).run()
            control_guests += sum(line.endswith("-ctl to observe it") for line in outcome.log)
            if "effect" in outcome.layers:
                serial[check.key] = outcome.duration
                execs[check.key] = counting.execs
    return Serial(statistics.median(times), serial, execs, len(checks), control_guests,
                  environment.label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--baseline", default="bookworm,trixie",
                        help="targets of the reference full run, measured first (empty: none)")
    parser.add_argument("--cycles", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-serial", action="store_true",
                        help="skip (2), the one-at-a-time checks against a bare guest cycle")
    args = parser.parse_args()
    targets = args.targets.split(",")
    baseline = [t for t in args.baseline.split(",") if t]
    for target in dict.fromkeys([*baseline, *targets]):
        ensure_image(get_target(target))  # warm images: building is the container benchmark's subject
    base_time = None

    def identity(target: str) -> Any:  # as the CLI does: no daemon when nothing changed
        return image_identity(target, "auto")

    if baseline:
        with tempfile.TemporaryDirectory(prefix="bench-doctest-") as scratch:
            start = time.monotonic()
            reference = run(SNIPPETS, Path(scratch), baseline, running_daemon, force=True,
                            jobs=args.jobs, log=lambda _line: None)
            base_time = time.monotonic() - start
            start = time.monotonic()
            run(SNIPPETS, Path(scratch), baseline, running_daemon, force=False, jobs=args.jobs,
                log=lambda _line: None, identity=identity)
            base_rerun = time.monotonic() - start
    with tempfile.TemporaryDirectory(prefix="bench-doctest-") as scratch:
        out = Path(scratch)
        start = time.monotonic()
        full = run(SNIPPETS, out, targets, running_daemon, force=True, jobs=args.jobs,
                   log=lambda _line: None)
        full_time = time.monotonic() - start
        start = time.monotonic()
        again = run(SNIPPETS, out, targets, running_daemon, force=False, jobs=args.jobs,
                    log=lambda _line: None, identity=identity)
        rerun_time = time.monotonic() - start
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; jobs per daemon: {args.jobs}")
    if base_time is not None:
        print(f"reference doctest ({', '.join(baseline)}, forced): {base_time:.1f} s — "
              f"{reference.summary()} ({reference.ran} checks); its no-change re-run "
              f"{base_rerun:.1f} s")
    print(f"full doctest ({', '.join(targets)}, forced): {full_time:.1f} s — {full.summary()}"
          f" ({full.ran} checks)"
          + (f"; {full_time / base_time:.2f}x the reference" if base_time else ""))
    print(f"re-run, nothing changed: {rerun_time:.1f} s — {again.reused} checks reused, "
          f"{again.ran} ran")
    for target in [] if args.skip_serial else targets:
        checks = {r.check: r.duration for r in full.records
                  if r.target == target and r.layers.get("effect")}
        serial = bare_cycle(target, args.cycles)
        bare, one = serial.bare, statistics.median(serial.checks.values())
        median = statistics.median(checks.values())
        print(f"{target} ({serial.label}): bare define+start+destroy {bare:.2f} s; median effect "
              f"check {one:.2f} s one at a time ({one / bare:.2f}x; {serial.control_guests} "
              f"control guests for the {serial.ran} checks run, median "
              f"{statistics.median(serial.execs.values()):g} podman execs per check), "
              f"{median:.2f} s inside the parallel full run ({median / bare:.2f}x), "
              f"over {len(checks)} checks")
        for key, seconds in sorted(serial.checks.items(), key=lambda item: item[1]):
            print(f"    {seconds:.2f} s ({seconds / bare:.2f}x, {serial.execs[key]} execs) {key}")


if __name__ == "__main__":
    main()
