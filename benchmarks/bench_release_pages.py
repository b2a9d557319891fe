"""What the per-release pages cost: the site's full build with and without them, same run.

The generated site of ``bench_site.py`` (the real conf.py over N synthetic issues spread over
six releases) is built with the release pages (the default) and with
``-D relnotes_release_pages=0``, alternately, ``--repeat`` times each, each a fresh output
folder and doctree cache. CPU time (user + system of the build process and its children) is
the figure on a shared machine; wall time is shown beside it. The ratio is the best
with-pages build over the best without.

    python benchmarks/bench_release_pages.py [--size 5000] [--repeat 2] [--jobs 1]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_site  # the sibling module: the generated site and its build command

TARGET_RATIO = 1.05


def build(root: Path, jobs: int, with_pages: bool) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, release pages written) of one fresh full build."""
    out = root / "_build" / "html"
    shutil.rmtree(root / "_build", ignore_errors=True)
    bench_site.create_empty_ledger(root)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", str(jobs),
               *([] if with_pages else ["-D", "relnotes_release_pages=0"]),
               "-c", str(root), str(root / "source"), str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pages = len(list((out / "releases").glob("*.html"))) if (out / "releases").is_dir() else 0
    return cpu, wall, pages


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    root = bench_site.WORK.parent / "release-pages" / f"n{args.size}"
    bench_site.project(root, args.size, "rn", bench_site.REPO / "conf.py")
    runs: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
    for _ in range(args.repeat):
        for with_pages in (False, True):
            runs[with_pages].append(build(root, args.jobs, with_pages))
            cpu, wall, pages = runs[with_pages][-1]
            print(f"{'with' if with_pages else 'without'} release pages: {cpu:.1f} s CPU, "
                  f"{wall:.1f} s wall, {pages} release pages", flush=True)
    best = {key: min(value) for key, value in runs.items()}
    ratio = best[True][0] / best[False][0]
    print(f"| N | without (best CPU) | with (best CPU) | release pages | ratio | target |\n"
          f"|---|---|---|---|---|---|\n"
          f"| {args.size:,} | {best[False][0]:.1f} s | {best[True][0]:.1f} s "
          f"| {best[True][2]} | {ratio:.3f} | < {TARGET_RATIO}: "
          f"{'met' if ratio < TARGET_RATIO else 'NOT met'} |")
    return 0 if ratio < TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
