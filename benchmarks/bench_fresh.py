"""A fresh machine's first steps: ``relnotes --help`` without extras, and the first ``make html``.

1. ``relnotes --help`` in a venv that holds the relnotes wheel and its required dependencies
   only (no extra, so no libvirt binding): the median of ``--repeat`` runs, each a fresh
   process, against ``python -c pass`` with the same interpreter in the same run (the floor:
   interpreter start). Target: under 0.3 s.
2. The first ``make html`` in a copy of the checkout without ``.venv`` or ``_build``, with a
   new, empty pip cache (``PIP_CACHE_DIR``): creating the docs venv, downloading and installing
   the pinned dependencies, building every language. Against it, in the same run, the same
   ``make html`` once more (the venv exists: only the site build). Target: at most 2 minutes.

    python benchmarks/bench_fresh.py [--repeat 15] [--skip-make]

Results: a table on stdout; copy it into benchmarks/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONSTRAINTS = REPO / "requirements" / "constraints.txt"
NOT_THE_PROJECT = shutil.ignore_patterns(
    ".git", ".venv", ".tox", "_build", "build", "dist", "*.egg-info", "node_modules",
    "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "_work")


def timed(argv: list[str], **options: object) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **options)  # type: ignore[call-overload]
    return time.perf_counter() - start


def venv_without_extras(work: Path) -> Path:
    wheels = work / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(copy_of_checkout(work / "for-wheel"))], check=True)
    [wheel] = wheels.glob("relnotes-*.whl")
    env = work / "venv"
    venv.create(env, with_pip=True)
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel),
                    "-c", str(CONSTRAINTS)], check=True)
    check = subprocess.run([str(env / "bin" / "python"), "-c", "import libvirt"],
                           capture_output=True, check=False)
    assert check.returncode != 0, "the venv must not have libvirt's binding"
    return env / "bin"


def copy_of_checkout(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=NOT_THE_PROJECT)
    return target


def bench_help(work: Path, repeat: int) -> dict[str, float]:
    bin_dir = venv_without_extras(work)
    python, relnotes = str(bin_dir / "python"), str(bin_dir / "relnotes")
    timed([relnotes, "--help"])  # the first run compiles the bytecode
    floors, helps = [], []
    for _ in range(repeat):  # interleaved, so that both see the same machine load
        floors.append(timed([python, "-c", "pass"]))
        helps.append(timed([relnotes, "--help"]))
    floor, help_ = statistics.median(floors), statistics.median(helps)
    return {"floor": floor, "help": help_, "ratio": help_ / floor, "help_max": max(helps)}


def bench_make_html(work: Path) -> dict[str, float]:
    checkout = copy_of_checkout(work / "checkout")
    env = {**os.environ, "PIP_CACHE_DIR": str(work / "pip-cache")}  # new and empty
    first = timed(["make", "html"], cwd=checkout, env=env)
    again = timed(["make", "html"], cwd=checkout, env=env)
    return {"first": first, "again": again}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-make", action="store_true")
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="bench-fresh-") as scratch:
        work = Path(scratch)
        result = bench_help(work, args.repeat)
        print(f"python -c pass (floor)    median {result['floor']:.3f} s")
        print(f"relnotes --help (no extra) median {result['help']:.3f} s "
              f"(max {result['help_max']:.3f} s), {result['ratio']:.2f}x the floor")
        if not args.skip_make:
            made = bench_make_html(work)
            print(f"first make html (empty pip cache) {made['first']:.1f} s")
            print(f"make html again (venv exists)     {made['again']:.1f} s")


if __name__ == "__main__":
    main()
