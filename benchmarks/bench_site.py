"""Site-build benchmark: is the release-notes site linear in the number of issues?

Generates N synthetic issues (``site_corpus``) and, in one run, measures full ``sphinx-build``
wall time and peak RSS of the build's process tree for

  (a) ``rn``    this site: the real ``conf.py`` (copied verbatim, ``_ext/`` and other
                top-level folders symlinked) over generated ``source/`` and ``snippets/``;
  (b) ``plain`` plain Sphinx + MyST on the same pages, alabaster, no sidebar: the floor;
  (c) ``needs`` sphinx-needs defaults, alabaster with its default sidebars, the same
                component hierarchy (issues in hidden per-component toctrees);
  (c') ``needs-flat`` the same with every issue in one flat root toctree, the layout of
                the reference measurement (each page's sidebar lists every issue);

plus (a)'s incremental rebuild after editing one issue page, and a no-op rebuild, and (a)'s
Japanese build (``full ja``: ``-D language=ja`` into ``ja/`` beside the English output, as
``make html`` builds it; the generated pages have no catalogs, so every page is untranslated),
and ``full en+ja``: both builds started side by side, as ``make html`` runs them (wall time).

Usage (from the repository root, with the docs venv's python)::

    python benchmarks/bench_site.py                      # N = 100, 1000, 5000
    python benchmarks/bench_site.py --sizes 100,1000 --variants plain,needs

Results: a table on stdout and ``benchmarks/_work/site/results.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_corpus  # the sibling module: importable when run as a script
from relnotes.core.settings import load_settings

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "_work" / "site"

#: Top-level entries of the repository that are not linked into the generated ``rn`` project:
#: the generated project brings its own content, and nothing else there is the site's.
NOT_LINKED = {"source", "snippets", "conf.py", "benchmarks", "tests", "_build", "tools"}

LABELS = {
    "plain": "(b) plain floor",
    "rn": "(a) this site",
    "needs": "(c) sphinx-needs",
    "needs-flat": "(c') needs, flat",
}
VARIANTS = tuple(LABELS)

# The targets this benchmark checks.
TARGET_VS_FLOOR = 2.0
TARGET_VS_NEEDS_AT_1000 = 0.2
TARGET_INCREMENTAL_S = 3.0
TARGET_RSS_BYTES = 2 * 1024**3
TARGET_PAGE_BYTES = 100 * 1000
# The reader's site: English + Japanese against the floor, and English alone as it was.
TARGET_BOTH_LANGUAGES_VS_FLOOR = 2.2
TARGET_ENGLISH_VS_FLOOR = 1.53
# English + Japanese against two plain builds of the same pages, one per language.
TARGET_BOTH_LANGUAGES_VS_TWO_FLOORS = 1.3


@dataclass
class Run:
    """One ``sphinx-build`` invocation and what it cost."""

    n: int
    variant: str
    # "full" (fresh output), "noop" (nothing changed), "incremental" (one page edited); with
    # "+ledger": the same once a (valid, empty) verification ledger exists, "settle+ledger"
    # being the build right after the ledger appeared.
    kind: str
    jobs: int
    wall_s: float | None = None
    peak_tree_rss_bytes: int | None = None  # sum over the process tree, polled
    max_proc_rss_bytes: int | None = None  # ru_maxrss of the largest single process (wait4)
    returncode: int | None = None
    timed_out: bool = False
    skipped: str = ""
    warnings: int = 0
    html_pages: int = 0
    pages_written: int = 0  # HTML files (re)written by this build
    largest_issue_page_bytes: int = 0
    largest_issue_page: str = ""
    loadavg_before: float | None = None  # 1-minute load: other work on the machine is noise
    stderr_tail: list[str] = field(default_factory=list)


# -- measuring one build ------------------------------------------------------------------

def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += p.memory_info().rss
    return total


def measure(cmd: list[str], log: Path, timeout: float, poll: float = 0.1) -> dict[str, Any]:
    """Run ``cmd`` in its own session; wall time, peak tree RSS and the child's ru_maxrss.

    ``os.wait4`` (not ``Popen.wait``) reaps the child so that its own rusage is read, not the
    cumulative RUSAGE_CHILDREN of every earlier build; ru_maxrss covers the largest process of
    the tree (parallel workers are waited for by sphinx-build), the polled sum covers the tree.
    """
    with log.open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        ps = psutil.Process(child.pid)
        peak = 0
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(child.pid, signal.SIGKILL)  # the session we started, nothing else
                pid, status, usage = os.wait4(child.pid, 0)
                break
            with contextlib.suppress(psutil.NoSuchProcess):
                peak = max(peak, _tree_rss(ps))
            time.sleep(poll)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    return {
        "wall_s": round(wall, 3),
        "peak_tree_rss_bytes": peak,
        "max_proc_rss_bytes": usage.ru_maxrss * 1024,  # kilobytes on Linux
        "returncode": child.returncode,
        "timed_out": timed_out,
    }


def sphinx_cmd(python: str, jobs: int, confdir: Path, srcdir: Path, outdir: Path,
               language: str = "") -> list[str]:
    options = ["-D", f"language={language}", "-d", str(outdir.parent / f".doctrees-{language}")] \
        if language else []
    return [
        python, "-m", "sphinx", "-b", "html", "-q", "-j", str(jobs), *options,
        "-c", str(confdir), str(srcdir), str(outdir),
    ]


def inspect_output(run: Run, outdir: Path, since: float, log: Path) -> None:
    pages = list(outdir.rglob("*.html"))
    run.html_pages = len(pages)
    run.pages_written = sum(1 for p in pages if p.stat().st_mtime >= since)
    issues = list((outdir / "issues").glob("*.html"))
    if issues:
        biggest = max(issues, key=lambda p: p.stat().st_size)
        run.largest_issue_page_bytes = biggest.stat().st_size
        run.largest_issue_page = biggest.name
    text = log.read_text(errors="replace").splitlines()
    run.warnings = sum(1 for line in text if "WARNING" in line or "ERROR" in line)
    run.stderr_tail = text[-5:]


# -- projects -----------------------------------------------------------------------------

def write_rn_project(root: Path, n: int, conf: Path) -> None:
    """The generated site: the real conf.py verbatim, the repo's other folders linked in.

    The site's own top-level pages (indices, the snippet table, about) are copied too and put
    in the root toctree as the real index does, so that their cost is part of the figure.
    """
    site_corpus.write_project(root, n, "rn")
    shutil.copy2(conf, root / "conf.py")
    for entry in conf.parent.iterdir():
        if entry.name in NOT_LINKED or entry.name.startswith("."):
            continue
        (root / entry.name).symlink_to(entry)
    real_pages = sorted(p for p in (conf.parent / "source").glob("*.md") if p.stem != "index")
    for page in real_pages:
        shutil.copy2(page, root / "source" / page.name)
    if real_pages:
        with (root / "source" / "index.md").open("a", encoding="utf-8") as f:
            f.write("\n```{toctree}\n:caption: Find an issue\n:maxdepth: 1\n\n")
            f.write("".join(f"{page.stem}\n" for page in real_pages))
            f.write("```\n")


def project(root: Path, n: int, variant: str, conf: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    if variant == "rn":
        write_rn_project(root, n, conf)
    elif variant == "needs-flat":
        site_corpus.write_project(root, n, "needs", flat=True)
    else:
        site_corpus.write_project(root, n, variant)


def create_empty_ledger(root: Path) -> Path:
    """A valid ledger with no records where the site's relnotes.toml points ``ledger``."""
    path = load_settings(root).ledger
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": 1, "records": []}) + "\n")
    return path


def edit_one_issue(root: Path, n: int) -> Path:
    """Append a paragraph to the middle issue's page (a real edit, not only a touch)."""
    issue = site_corpus.make_issues(n)[n // 2]
    page = root / "source" / "issues" / f"{issue.id}.md"
    with page.open("a", encoding="utf-8") as f:
        f.write(f"\nEdited for the incremental benchmark at {time.time():.3f}.\n")
    return page


def build_both(args: argparse.Namespace, root: Path, run: Run) -> Run:
    """English and Japanese at once (two processes), fresh output: the wall time of both."""
    outdir = root / "_build" / f"html-j{run.jobs}"
    if outdir.exists():
        shutil.rmtree(outdir)
    log = root / "build-both.log"
    since = time.time() - 0.01
    run.loadavg_before = round(os.getloadavg()[0], 2)
    english = sphinx_cmd(args.python, run.jobs, root, root / "source", outdir)
    japanese = sphinx_cmd(args.python, run.jobs, root, root / "source", outdir / "ja", "ja")
    script = (f"{shlex.join(english)} & en=$!; {shlex.join(japanese)} & ja=$!; "
              "wait $en; a=$?; wait $ja; b=$?; exit $((a | b))")
    for key, value in measure(["sh", "-c", script], log, args.timeout).items():
        setattr(run, key, value)
    inspect_output(run, outdir, since, log)
    return run


def build(args: argparse.Namespace, root: Path, run: Run, fresh: bool, language: str = "") -> Run:
    outdir = root / "_build" / f"html-j{run.jobs}" / language
    if fresh and outdir.exists():
        shutil.rmtree(outdir)
    log = root / f"build-{run.kind}-j{run.jobs}.log"
    since = time.time() - 0.01
    run.loadavg_before = round(os.getloadavg()[0], 2)
    cmd = sphinx_cmd(args.python, run.jobs, root, root / "source", outdir, language)
    for key, value in measure(cmd, log, args.timeout).items():
        setattr(run, key, value)
    inspect_output(run, outdir, since, log)
    return run


# -- the run ------------------------------------------------------------------------------

def versions(python: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        "d = {'python': sys.version.split()[0]}\n"
        "for p in ('sphinx', 'docutils', 'myst-parser', 'furo', 'alabaster', 'sphinx-needs',"
        " 'psutil'):\n"
        "    try: d[p] = m.version(p)\n"
        "    except m.PackageNotFoundError: d[p] = 'absent'\n"
        "print(json.dumps(d))\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def machine() -> dict[str, Any]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "date": subprocess.run(["date"], capture_output=True, text=True).stdout.strip(),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_bytes": psutil.virtual_memory().total,
        "platform": platform.platform(),
    }


def git_head() -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return out.stdout.strip()


def fmt_bytes(b: int | None) -> str:
    return "-" if not b else f"{b / 1024**2:,.0f} MiB"


def fmt_wall(run: Run, timeout: float) -> str:
    if run.skipped:
        return "skipped"
    if run.timed_out:
        return f"> {timeout:.0f}"
    return f"{run.wall_s:.1f}"


def floor_of(runs: list[Run], n: int) -> Run | None:
    return next(
        (r for r in runs if r.n == n and r.variant == "plain" and r.kind == "full"
         and r.wall_s and not r.timed_out), None
    )


def table(runs: list[Run], timeout: float) -> str:
    head = (
        f"{'N':>5}  {'variant':<18} {'build':<18} {'j':>1}  {'wall s':>8}  {'x floor':>7}  "
        f"{'tree RSS':>10}  {'proc RSS':>10}  {'pages':>6}  {'written':>7}  "
        f"{'max issue page':>14}  rc"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        floor = floor_of(runs, r.n)
        ratio = (
            f"{r.wall_s / floor.wall_s:.2f}"
            if floor and r.wall_s and not r.timed_out and not r.skipped and r.kind.startswith("full")
            else "-"
        )
        lines.append(
            f"{r.n:>5}  {LABELS[r.variant]:<18} {r.kind:<18} {r.jobs:>1}  "
            f"{fmt_wall(r, timeout):>8}  {ratio:>7}  {fmt_bytes(r.peak_tree_rss_bytes):>10}  "
            f"{fmt_bytes(r.max_proc_rss_bytes):>10}  {r.html_pages:>6}  {r.pages_written:>7}  "
            f"{r.largest_issue_page_bytes:>14,}  {'' if r.returncode is None else r.returncode}"
        )
    return "\n".join(lines)


def markdown(meta: dict[str, Any], runs: list[Run]) -> str:
    """The results as a Markdown table, ratios against the floor of the same run."""
    timeout = float(meta["timeout_s"])
    lines = [
        "| N | variant | build | -j | wall s | x floor | peak tree RSS | pages written "
        "| largest issue page (B) | load before |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        floor = floor_of(runs, r.n)
        ratio = (
            f"{r.wall_s / floor.wall_s:.2f}"
            if floor and r.wall_s and not r.timed_out and not r.skipped and r.kind.startswith("full")
            else ""
        )
        wall = f"skipped ({r.skipped})" if r.skipped else fmt_wall(r, timeout)
        lines.append(
            f"| {r.n:,} | {LABELS[r.variant]} | {r.kind} | {r.jobs} | {wall} | {ratio} "
            f"| {fmt_bytes(r.peak_tree_rss_bytes)} | {r.pages_written:,} "
            f"| {r.largest_issue_page_bytes:,} | {r.loadavg_before or ''} |"
        )
    return "\n".join(lines)


def report(path: Path) -> int:
    """Print the Markdown table and verdicts of a saved results JSON."""
    data = json.loads(path.read_text())
    names = {f.name for f in dataclasses.fields(Run)}
    runs = [Run(**{k: v for k, v in run.items() if k in names}) for run in data["runs"]]
    print(markdown(data, runs))
    print()
    print("\n".join(f"- {line}" for line in verdicts(runs)))
    return 0


def verdicts(runs: list[Run]) -> list[str]:
    """Each target checked against this run's figures, with the margin."""
    out = []

    def find(n: int, variant: str, kind: str = "full", jobs: int = 1) -> Run | None:
        return next((r for r in runs if (r.n, r.variant, r.kind, r.jobs) ==
                     (n, variant, kind, jobs) and not r.skipped), None)

    for n in sorted({r.n for r in runs}):
        a, b = find(n, "rn"), find(n, "plain")
        if a and b and a.wall_s and b.wall_s and not a.timed_out:
            ratio = a.wall_s / b.wall_s
            ok = ratio <= TARGET_VS_FLOOR
            out.append(f"N={n}: (a)/(b) = {ratio:.2f} (target <= {TARGET_VS_FLOOR}) "
                       f"{'MET' if ok else f'MISSED by {ratio / TARGET_VS_FLOOR:.2f}x'}")
        ja = find(n, "rn", "full ja")
        if a and b and ja and a.wall_s and b.wall_s and ja.wall_s:
            english = a.wall_s / b.wall_s
            both = (a.wall_s + ja.wall_s) / b.wall_s
            for label, ratio, target in (("English", english, TARGET_ENGLISH_VS_FLOOR),
                                         ("English + Japanese", both, TARGET_BOTH_LANGUAGES_VS_FLOOR)):
                out.append(f"N={n}: {label} / (b) = {ratio:.2f} (target <= {target}) "
                           f"{'MET' if ratio <= target else f'MISSED by {ratio / target:.2f}x'}")
        plain_ja = find(n, "plain", "full ja")
        if a and b and ja and plain_ja and a.wall_s and b.wall_s and ja.wall_s and plain_ja.wall_s:
            ratio = (a.wall_s + ja.wall_s) / (b.wall_s + plain_ja.wall_s)
            target = TARGET_BOTH_LANGUAGES_VS_TWO_FLOORS
            out.append(f"N={n}: English + Japanese / two plain builds (en + ja) = {ratio:.2f} "
                       f"(target <= {target}) "
                       f"{'MET' if ratio <= target else f'MISSED by {ratio / target:.2f}x'}")
        side = find(n, "rn", "full en+ja")
        if b and side and b.wall_s and side.wall_s:
            ratio = side.wall_s / b.wall_s
            target = TARGET_BOTH_LANGUAGES_VS_FLOOR
            out.append(f"N={n}: English + Japanese side by side / (b) = {ratio:.2f} "
                       f"(target <= {target}) "
                       f"{'MET' if ratio <= target else f'MISSED by {ratio / target:.2f}x'}")
        for cv, label in (("needs", "(c)"), ("needs-flat", "(c')")):
            c = find(n, cv)
            if n != 1000 or not (a and c and a.wall_s and c.wall_s):
                continue
            ratio = a.wall_s / c.wall_s
            bound = "<=" if c.timed_out else "="
            ok = ratio <= TARGET_VS_NEEDS_AT_1000
            out.append(f"N={n}: (a)/{label} {bound} {ratio:.3f} "
                       f"(target <= {TARGET_VS_NEEDS_AT_1000}) "
                       f"{'MET' if ok else f'MISSED by {ratio / TARGET_VS_NEEDS_AT_1000:.2f}x'}")
        for kind in ("incremental", "incremental+ledger"):
            inc = find(n, "rn", kind)
            if n != 1000 or not (inc and inc.wall_s):
                continue
            ok = inc.wall_s <= TARGET_INCREMENTAL_S
            out.append(f"N={n}: {kind} {inc.wall_s:.2f} s (target <= {TARGET_INCREMENTAL_S}) "
                       f"{'MET' if ok else f'MISSED by {inc.wall_s - TARGET_INCREMENTAL_S:.2f} s'}")
        if n == 5000 and a and not a.timed_out:
            rss = max(r.peak_tree_rss_bytes or 0 for r in runs if r.n == n and r.variant == "rn")
            out.append(f"N={n}: (a) peak tree RSS {fmt_bytes(rss)} (target <= 2 GiB) "
                       f"{'MET' if rss <= TARGET_RSS_BYTES else 'MISSED'}")
            page = a.largest_issue_page_bytes
            out.append(f"N={n}: (a) largest issue page {page:,} B (target <= 100 KB) "
                       f"{'MET' if page <= TARGET_PAGE_BYTES else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000",
                        help="comma-separated N (default: 100,1000,5000)")
    parser.add_argument("--variants", default="plain,rn,needs,needs-flat",
                        help="comma-separated subset of plain, rn, needs, needs-flat "
                             "(also b, a, c, c-flat)")
    parser.add_argument("--rn-jobs", default="1,2",
                        help="-j values for the site's full build (default 1,2)")
    parser.add_argument("--needs-max-n", type=int, default=5000,
                        help="skip sphinx-needs above this N (default: run all, with timeout)")
    parser.add_argument("--flat-max-n", type=int, default=1000,
                        help="skip flat sphinx-needs above this N (default 1000: quadratic)")
    parser.add_argument("--ledger-max-n", type=int, default=1000,
                        help="rebuild (a) with an empty ledger present up to this N (default 1000)")
    parser.add_argument("--timeout", type=float, default=1200.0,
                        help="seconds per build before it is killed and reported as '> timeout'")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter with Sphinx and the extensions (default: this one)")
    parser.add_argument("--conf", type=Path, default=REPO / "conf.py",
                        help="the site's real conf.py (variant rn)")
    parser.add_argument("--workdir", type=Path, default=WORK)
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON",
                        help="only print the Markdown table of a saved results file")
    args = parser.parse_args(argv)
    if args.report:
        return report(args.report)

    alias = {"a": "rn", "b": "plain", "c": "needs", "c-flat": "needs-flat"}
    variants = [alias.get(v, v) for v in args.variants.split(",") if v]
    order = [v for v in VARIANTS if v in variants]  # the floor before the others
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(sorted(unknown))}")
    if "rn" in order and not args.conf.is_file():
        parser.error(f"{args.conf} does not exist: the site's conf.py is needed for variant rn")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rn_jobs = [int(j) for j in args.rn_jobs.split(",") if j]

    args.workdir.mkdir(parents=True, exist_ok=True)
    meta = {"machine": machine(), "versions": versions(args.python), "git_head": git_head(),
            "stamp": datetime.datetime.now().strftime("%Y%m%dT%H%M%S"),
            "timeout_s": args.timeout, "python": args.python, "sizes": sizes,
            "needs_theme": "alabaster 1.0 default sidebars (about, searchfield, navigation, "
                           "relations, donate); navigation.html collapses to the current branch",
            "floor_theme": "alabaster, html_sidebars = {'**': []}"}
    print(json.dumps(meta, indent=1), flush=True)
    runs: list[Run] = []
    timed_out: set[str] = set()

    def record(run: Run) -> None:
        runs.append(run)
        print(f"  N={run.n} {run.variant} {run.kind} -j{run.jobs}: {fmt_wall(run, args.timeout)} s"
              f", tree RSS {fmt_bytes(run.peak_tree_rss_bytes)}, rc={run.returncode}, "
              f"warnings={run.warnings}, written={run.pages_written}", flush=True)
        if run.returncode not in (0, None) and not run.timed_out:
            print("    " + "\n    ".join(run.stderr_tail), flush=True)
        save(args.workdir, meta, runs)

    for n in sizes:
        for variant in order:
            root = args.workdir / f"n{n}" / variant
            cap = {"needs": args.needs_max_n, "needs-flat": args.flat_max_n}.get(variant, n)
            if n > cap:
                record(Run(n, variant, "full", 1, skipped=f"N > the cap {cap} for {variant}"))
                continue
            if variant in timed_out:
                record(Run(n, variant, "full", 1, skipped="a smaller N already timed out"))
                continue
            project(root, n, variant, args.conf)
            jobs = rn_jobs if variant == "rn" else [1]
            for j in jobs:
                run = build(args, root, Run(n, variant, "full", j), fresh=True)
                record(run)
                if run.timed_out:
                    timed_out.add(variant)
                    break
                if variant == "plain":
                    # The floor for two languages: plain Sphinx builds the same pages in
                    # Japanese too (its own Japanese search splitter), into ja/ beside them.
                    record(build(args, root, Run(n, variant, "full ja", 1), fresh=True,
                                 language="ja"))
                if variant == "rn" and j == 1:
                    record(build(args, root, Run(n, variant, "full ja", 1), fresh=True,
                                 language="ja"))
                    record(build_both(args, root, Run(n, variant, "full en+ja", 1)))
                    for kind in ("noop", "incremental"):
                        if kind == "incremental":
                            edit_one_issue(root, n)
                        record(build(args, root, Run(n, variant, kind, 1), fresh=False))
                    if n > args.ledger_max_n:
                        continue
                    create_empty_ledger(root)
                    for kind in ("settle+ledger", "noop+ledger", "incremental+ledger"):
                        if kind == "incremental+ledger":
                            edit_one_issue(root, n)
                        record(build(args, root, Run(n, variant, kind, 1), fresh=False))
            if not args.keep:
                shutil.rmtree(root)

    print()
    print(table(runs, args.timeout))
    print()
    for line in verdicts(runs):
        print(line)
    path = save(args.workdir, meta, runs)
    print(f"\nresults: {path}")
    return 0


def save(workdir: Path, meta: dict[str, Any], runs: list[Run]) -> Path:
    """Write ``results.json`` (the latest run) and ``results-<start>.json`` (kept)."""
    data = {**meta, "runs": [asdict(r) for r in runs], "verdicts": verdicts(runs)}
    text = json.dumps(data, indent=1) + "\n"
    (workdir / f"results-{meta['stamp']}.json").write_text(text)
    path = workdir / "results.json"
    path.write_text(text)
    return path


if __name__ == "__main__":
    sys.exit(main())
