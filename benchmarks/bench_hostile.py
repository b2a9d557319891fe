"""Hostile inputs that used to hang a command: how long each takes to be refused or to end.

Two measurements, each against a baseline measured in the same run:

- ``relnotes import bugzilla`` of a FIFO with no writer and of ``/dev/zero`` (each used to
  block or read until memory ran out), against the import of a one-bug response (the
  command's own start-up and work). Target: refused in under 1 s.
- ``relnotes verify`` of one check whose setup freezes libvirtd (``kill -STOP``) while its
  step runs, plus a second check on the same daemon, against the same run with the freeze
  left out (the step is killed at the check's timeout either way). Target: the frozen run
  ends within the check's timeout plus 30 s of the baseline's end (it used to run until
  SIGKILL). Needs podman and the target's image (``--skip-daemon`` leaves it out).

    PYTHONPATH=_ext python benchmarks/bench_hostile.py [--target bookworm] [--skip-daemon]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "_ext")}


def timed(argv: list[str], timeout: float) -> tuple[float, int]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "relnotes.cli", *argv], capture_output=True,
                          timeout=timeout, env=ENV, check=False)
    return time.monotonic() - started, done.returncode


def imports(folder: Path, repeat: int) -> None:
    (folder / "site").mkdir()
    (folder / "site/conf.py").write_text("")
    good = folder / "bugs.json"
    good.write_text(json.dumps({"bugs": [{
        "id": 1000001, "summary": "A guest fails", "component": ["kvm"], "version": ["9.0"],
        "cf_doc_type": "Known Issue", "cf_release_notes": "The guest fails.\n"}]}))
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    rows = []
    for name, source in (("one-bug response (baseline)", good), ("FIFO, no writer", fifo),
                         ("/dev/zero", Path("/dev/zero"))):
        times = []
        for _ in range(repeat):
            for leftover in (folder / "site").iterdir():
                if leftover.name != "conf.py":
                    subprocess.run(["rm", "-rf", str(leftover)], check=True)
            took, code = timed(["import", "bugzilla", str(source), "--into",
                                str(folder / "site")], timeout=30)
            times.append(took)
        rows.append((name, sorted(times)[len(times) // 2], code))
    base = rows[0][1]
    print("| input | exit | median (whole command) | ratio to baseline |\n|---|---|---|---|")
    for name, took, code in rows:
        print(f"| {name} | {code} | {took:.2f} s | {took / base:.2f}x |")
    # The refusal itself, in process (the command's start-up left out).
    sys.path.insert(0, str(ROOT / "_ext"))
    from relnotes.core.bounded import InputFileError, read_bounded

    print("\n| input (in process) | median | ratio to reading the one-bug file |\n|---|---|---|")
    inner = []
    for name, source in (("one-bug response (baseline)", good), ("FIFO, no writer", fifo),
                         ("/dev/zero", Path("/dev/zero"))):
        times = []
        for _ in range(max(repeat, 5) * 20):
            started = time.perf_counter()
            with contextlib.suppress(InputFileError):
                read_bounded(source, 32 * 2**20)
            times.append(time.perf_counter() - started)
        inner.append((name, sorted(times)[len(times) // 2]))
    for name, took in inner:
        print(f"| {name} | {took * 1e6:.0f} µs | {took / inner[0][1]:.2f}x |")


def frozen(folder: Path, target: str) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.test_hostile_deadlines import TIMEOUT, frozen_snippets

    rows = []
    for name, freeze in (("no freeze (baseline)", False), ("libvirtd stopped", True)):
        where = folder / name.split()[0]
        snippets = frozen_snippets(where)
        if not freeze:
            spec = snippets / "a/slow.sh.check.toml"
            text = spec.read_text()
            spec.write_text(text[:text.index("[[setup]]")] + text[text.index("[[steps]]"):])
        took, code = timed(["verify", "--force", "--accel", "tcg", "--jobs", "1", "--target",
                            target, "--snippets-dir", str(snippets), "--out",
                            str(where / "out")], timeout=600)
        rows.append((name, took, code))
    base = rows[0][1]
    print(f"\ncheck timeout {TIMEOUT} s, target {target}\n")
    print("| run | exit | wall time | over the baseline |\n|---|---|---|---|")
    for name, took, code in rows:
        print(f"| {name} | {code} | {took:.1f} s | +{took - base:.1f} s |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="bookworm")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-daemon", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        (Path(scratch) / "imports").mkdir()
        imports(Path(scratch) / "imports", args.repeat)
        if not args.skip_daemon:
            frozen(Path(scratch), args.target)


if __name__ == "__main__":
    main()
