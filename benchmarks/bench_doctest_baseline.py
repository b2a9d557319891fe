"""Benchmark: the snippet doctest of this tree against a baseline tree, in one run.

    PYTHONPATH=_ext python benchmarks/bench_doctest_baseline.py --baseline DIR [--rounds 3]

DIR is a checkout of the commit to compare with (e.g. ``git archive <commit> | tar -x -C DIR``).
Each round runs, alternating the trees so that load from other work falls on both alike: a full
forced doctest of both targets (warm images; daemon starts included), then a re-run with
nothing changed. Reports medians and the ratio to the baseline; the machine is shared, so only
the ratios mean much. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def timed_run(tree: Path, out: Path, force: bool) -> tuple[float, str]:
    argv = [sys.executable, "-m", "relnotes.engine", "run", "--out", str(out)]
    if force:
        argv.append("--force")
    env = {**os.environ, "PYTHONPATH": str(tree / "_ext")}
    start = time.monotonic()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{tree}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this tree": HERE}
    full: dict[str, list[float]] = {name: [] for name in trees}
    rerun: dict[str, list[float]] = {name: [] for name in trees}
    summaries: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-doctest-") as scratch:
        for round_ in range(args.rounds):
            order = list(trees.items()) if round_ % 2 == 0 else list(trees.items())[::-1]
            for name, tree in order:
                out = Path(scratch) / name.replace(" ", "-")
                seconds, summaries[name] = timed_run(tree, out, force=True)
                full[name].append(seconds)
                seconds, _ = timed_run(tree, out, force=False)
                rerun[name].append(seconds)
    base_full, base_rerun = (statistics.median(full["baseline"]),
                             statistics.median(rerun["baseline"]))
    for name in trees:
        f, r = statistics.median(full[name]), statistics.median(rerun[name])
        print(f"{name}: full doctest {f:.1f} s (runs {', '.join(f'{x:.1f}' for x in full[name])}),"
              f" {f / base_full:.2f}x; no-change re-run {r:.1f} s "
              f"(runs {', '.join(f'{x:.1f}' for x in rerun[name])}), {r / base_rerun:.2f}x")
        print(f"  {summaries[name]}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
