"""What the per-release pages cost: the site's full build with and without them, same run.

The generated site of ``bench_site.py`` (the real conf.py over N synthetic issues spread over
six releases) is built with the release pages (the default) and with
``-D relnotes_release_pages=0``, alternately, ``--repeat`` times each, each a fresh output
folder and doctree cache. CPU time (user + system of the build process and its children) is
the figure on a shared machine; wall time is shown beside it. The ratio is the best
with-pages build over the best without.

    python benchmarks/bench_release_pages.py [--size 5000] [--repeat 2] [--jobs 1]
    python benchmarks/bench_release_pages.py --direct [--size 5000]

On a shared machine two builds' CPU times differ by more than 5 % with nothing changed, so
``--direct`` also measures the release pages' own cost inside one build: the CPU time of
writing the ``releases/`` pages (``handle_page``), of collecting them, and of the issue
views that name each issue's release pages, against the build's whole CPU time.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


def direct_child(argv: list[str]) -> None:
    """One build with timers around what the release pages add (run in its own process)."""
    from relnotes.sphinxext import releases, rendering
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.cmd.build import main as sphinx_main

    spent = {"write": 0.0, "collect": 0.0, "views": 0.0}
    handle_page = StandaloneHTMLBuilder.handle_page

    def timed_handle_page(self: Any, pagename: str, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return handle_page(self, pagename, *args, **kwargs)
        finally:
            if pagename.startswith(f"{releases.RELEASES_DIR}/"):
                spent["write"] += time.process_time() - start

    collect, views = releases.collect_release_pages, rendering.compute_views

    def timed_collect(app: Any) -> list[Any]:
        start = time.process_time()
        pages = list(collect(app))
        spent["collect"] += time.process_time() - start
        return pages

    def timed_views(env: Any) -> Any:
        start = time.process_time()
        try:
            return views(env)
        finally:
            spent["views"] += time.process_time() - start

    StandaloneHTMLBuilder.handle_page = timed_handle_page  # type: ignore[method-assign]
    releases.collect_release_pages = timed_collect  # type: ignore[assignment]
    rendering.compute_views = timed_views
    code = sphinx_main(argv)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({**spent, "total": usage.ru_utime + usage.ru_stime, "code": code}))


def direct(root: Path) -> int:
    shutil.rmtree(root / "_build", ignore_errors=True)
    bench_site.create_empty_ledger(root)
    out = subprocess.run(
        [sys.executable, __file__, "--child", "-b", "html", "-q", "-j", "1", "-c", str(root),
         str(root / "source"), str(root / "_build" / "html")],
        check=True, capture_output=True, text=True).stdout
    spent = json.loads(out.splitlines()[-1])
    own = spent["write"] + spent["collect"]
    print(f"| N | build CPU | writing the release pages | collecting them | all issue views "
          f"(an upper bound of the release links' share) | release pages' share |\n"
          f"|---|---|---|---|---|---|\n"
          f"| {root.name} | {spent['total']:.1f} s | {spent['write']:.2f} s "
          f"| {spent['collect']:.2f} s | {spent['views']:.2f} s "
          f"| {own / spent['total']:.2%} (at most {(own + spent['views']) / spent['total']:.2%}) |")
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        direct_child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--direct", action="store_true",
                        help="one build, timing what the release pages add inside it")
    args = parser.parse_args()
    root = bench_site.WORK.parent / "release-pages" / f"n{args.size}"
    bench_site.project(root, args.size, "rn", bench_site.REPO / "conf.py")
    if args.direct:
        return direct(root)
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
