"""``relnotes check`` against a full Sphinx build of the same synthetic site, in one run.

For each N, the synthetic site of ``site_corpus`` (the ``rn`` variant, laid out as the site
benchmark lays it out: the real conf.py, the repository's other folders linked in) gets a check
spec beside every snippet and the base guest, so that it is clean for both: the check must find
no problem, the build no warning. Then, for that same tree:

- ``relnotes check`` as a user runs it (a fresh process: interpreter start and imports included),
  the median of ``--repeat`` runs;
- one full ``sphinx-build -b html -j 1`` into a fresh output folder (the site benchmark's
  command).

Target: the check takes at most 0.1x the build. Usage (repository root, a Python with relnotes
installed)::

    python benchmarks/bench_check.py                 # N = 1000, 5000
    python benchmarks/bench_check.py --sizes 200 --repeat 1

Results: a table on stdout and ``benchmarks/_work/check/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_site  # the sibling module: the site benchmark's project layout and measurement

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "_work" / "check"
TARGET_RATIO = 0.1

#: A spec per synthetic snippet kind: valid, and declaring why nothing is run.
SPECS = {
    ".xml": 'kind = "xml-fragment"\nnot_verifiable = "a synthetic benchmark snippet"\n\n'
            '[apply]\nmode = "append"\ntarget = "/domain/devices"\n',
    ".sh": 'kind = "shell"\nnot_verifiable = "a synthetic benchmark snippet"\n',
    ".virsh": 'kind = "virsh"\nnot_verifiable = "a synthetic benchmark snippet"\n',
}


def write_site(root: Path, n: int) -> None:
    bench_site.project(root, n, "rn", REPO / "conf.py")
    snippets = root / "snippets"
    for path in sorted(snippets.rglob("*")):
        if path.is_file():
            path.with_name(path.name + ".check.toml").write_text(SPECS[path.suffix], encoding="utf-8")
    (snippets / "_guests").mkdir()
    shutil.copy2(REPO / "snippets" / "_guests" / "minimal.xml", snippets / "_guests" / "minimal.xml")


def run_check(python: str, root: Path, timeout: float) -> dict[str, Any]:
    log = root / "check.log"
    result = bench_site.measure([python, "-m", "relnotes.cli", "--site", str(root), "check"],
                                log, timeout)
    result["problems"] = sum(1 for line in log.read_text().splitlines() if "[relnotes." in line)
    return result


def run_build(python: str, root: Path, timeout: float) -> dict[str, Any]:
    outdir = root / "_build" / "html"
    shutil.rmtree(root / "_build", ignore_errors=True)
    log = root / "build.log"
    result = bench_site.measure(bench_site.sphinx_cmd(python, 1, root, root / "source", outdir),
                                log, timeout)
    result["warnings"] = sum(1 for line in log.read_text(errors="replace").splitlines()
                             if "WARNING" in line or "ERROR" in line)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeat", type=int, default=3, help="check runs per size (median)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in (int(size) for size in args.sizes.split(",")):
        root = WORK / f"n{n}"
        write_site(root, n)
        checks = []
        for _ in range(args.repeat):
            checks.append(run_check(args.python, root, args.timeout))
        loadavg = round(os.getloadavg()[0], 2)
        built = run_build(args.python, root, args.timeout)
        check_s = statistics.median(c["wall_s"] for c in checks)
        row = {
            "n": n, "check_s": check_s, "check_runs_s": [c["wall_s"] for c in checks],
            "check_exit": sorted({c["returncode"] for c in checks}),
            "check_problems": max(c["problems"] for c in checks),
            "check_peak_rss_bytes": max(c["peak_tree_rss_bytes"] for c in checks),
            "build_s": built["wall_s"], "build_exit": built["returncode"],
            "build_warnings": built["warnings"], "build_peak_rss_bytes": built["peak_tree_rss_bytes"],
            "ratio": round(check_s / built["wall_s"], 4), "loadavg_before_build": loadavg,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    meta = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(), "machine": platform.machine(),
        "nproc": os.cpu_count(), "sizes": args.sizes, "repeat": args.repeat,
    }
    (WORK / "results.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print()
    print("| N | relnotes check (median) | check exit / problems | full build -j1 | build exit / "
          "warnings | check / build | target |")
    print("|---|---|---|---|---|---|---|")
    ok = True
    for row in rows:
        met = row["ratio"] <= TARGET_RATIO and row["check_exit"] == [0] and row["build_exit"] == 0
        ok = ok and met
        print(f"| {row['n']:,} | {row['check_s']:.2f} s | {row['check_exit']} / "
              f"{row['check_problems']} | {row['build_s']:.1f} s | {row['build_exit']} / "
              f"{row['build_warnings']} | **{row['ratio']:.3f}x** | "
              f"<= {TARGET_RATIO}x: {'met' if met else 'NOT met'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    sys.exit(code)
