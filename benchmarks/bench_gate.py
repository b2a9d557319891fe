"""Gate benchmark: what the publish gate and its page checks cost in a full build of N issues.

Generates the N-issue site of ``bench_site`` (the real ``conf.py`` over generated pages and
snippets), with ``relnotes_require_verified`` on and an empty ledger, so that every shown
snippet is refused: the gate's worst case. One ``sphinx-build`` runs in one process (``-j 1``,
so every handler runs where it is timed) with the gate's handlers wrapped by timers:

  - ``check_publishable`` (build-finished: every snippet use against the results table),
  - ``check_code_blocks`` (doctree-read: every code block of an issue page),
  - ``check_claims`` (source-read: the claim lint over every page),
  - ``check_catalog_claims`` (builder-inited: the claim lint over the catalogs).

The figure is their summed CPU time as a share of the same build's CPU time (target: under
5 %): CPU time, because on a shared machine the wall time mostly measures the other tenants
(both are recorded).

Usage (from the repository root, with the venv's python)::

    python benchmarks/bench_gate.py                 # N = 5000
    python benchmarks/bench_gate.py --sizes 100,1000

Results: a table on stdout and ``benchmarks/_work/gate/results.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_site  # the sibling module: the generated site of N issues

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "_work" / "gate"
TARGET_SHARE = 0.05

# Runs in the build's own process: wraps the handlers before the extension connects them.
PROBE = r"""
import json, sys, time
from relnotes.sphinxext import claims, code_blocks, publish_gate
spent = {}
def timed(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - start
    setattr(module, name, wrapper)
timed(publish_gate, "check_publishable")
timed(code_blocks, "check_code_blocks")
timed(claims, "check_claims")
timed(claims, "check_catalog_claims")
from sphinx.cmd.build import build_main
start, cpu = time.perf_counter(), time.process_time()
code = build_main(sys.argv[2:])
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
with open(sys.argv[1], "w") as out:
    json.dump({"wall": wall, "cpu": cpu, "spent": spent, "exit": code}, out)
"""


def measure(n: int) -> dict[str, object]:
    root = WORK / f"n{n}"
    bench_site.project(root, n, "rn", REPO / "conf.py")
    bench_site.create_empty_ledger(root)
    result = root / "probe.json"
    command = [sys.executable, "-c", PROBE, str(result), "-q", "-j", "1", "-b", "html",
               "-D", "relnotes_require_verified=1", "-d", str(root / "_build/doctrees"),
               str(root / "source"), str(root / "_build/html"), "-c", str(root)]
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data: dict[str, object] = json.loads(result.read_text())
    data["n"] = n
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000")
    args = parser.parse_args()
    rows = [measure(int(size)) for size in args.sizes.split(",")]
    print("| N | build wall | build CPU | gate | code blocks | claims | catalogs | share of CPU |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for row in rows:
        spent: dict[str, float] = row["spent"]  # type: ignore[assignment]
        wall: float = row["wall"]  # type: ignore[assignment]
        cpu: float = row["cpu"]  # type: ignore[assignment]
        share = sum(spent.values()) / cpu
        ok = ok and share < TARGET_SHARE and row["exit"] == 1  # the gate must have refused
        print(f"| {row['n']} | {wall:.1f} s | {cpu:.1f} s | "
              f"{spent.get('check_publishable', 0):.2f} s | "
              f"{spent.get('check_code_blocks', 0):.2f} s | {spent.get('check_claims', 0):.2f} s"
              f" | {spent.get('check_catalog_claims', 0):.3f} s | {share:.2%} |")
    print(f"target: the gate's handlers under {TARGET_SHARE:.0%} of the build: "
          f"{'met' if ok else 'NOT met'}")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "results.json").write_text(json.dumps(
        {"rows": rows, "machine": platform.platform(),
         "when": datetime.now(UTC).isoformat()}, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
