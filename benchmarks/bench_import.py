"""Importing N synthetic bugs (or Jira tickets) from a saved response: time and peak memory.

Each size runs in a fresh process (peak RSS is per process). Two baselines, measured in the
same run: reading and parsing the same JSON file alone, and writing the files the import
produced (same paths, same bytes) with plain open/write into an empty folder. The second
ratio says what the import costs beyond creating its output on this filesystem.

    PYTHONPATH=_ext python benchmarks/bench_import.py [--sizes 1000,10000] [--dir /dev/shm]
        [--tracker bugzilla|jira]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOC_TYPES = ["Known Issue", "Bug Fix", "Enhancement", "Technology Preview", "Release Note",
             "Deprecated Functionality", "If docs needed, set a value"]


def synthetic(n: int) -> dict[str, object]:
    bugs = []
    for i in range(n):
        text = (f"Cause: condition {i} of the <b>daemon</b> is not handled.\n"
                f"Consequence: guests on host {i % 97} stop.\n\n"
                "To work around this problem, run:\n\n"
                f"    # virsh setmem guest{i} {1024 + i}M --config\n\n"
                "* the guest restarts\n* nothing else changes\n")
        bugs.append({"id": 1_000_000 + i, "summary": f"Guest {i} stops when memory is set [{i}]",
                     "component": ["libvirt", "qemu-kvm", "kernel"][i % 3], "version": "9.4",
                     "product": "RHEL", "status": "CLOSED", "resolution": "ERRATA",
                     "cf_doc_type": DOC_TYPES[i % len(DOC_TYPES)], "cf_release_notes": text})
    return {"bugs": bugs}


NOTE_TYPES = ["Known Issue", "Bug Fix", "Enhancement", "Feature", "Rebase", "Technology Preview",
              "CVE", "Deprecated Functionality", "Release Note Not Required"]


def synthetic_jira(n: int) -> dict[str, object]:
    """A search response of N tickets: wiki markup with a {code} block under a numbered step."""
    issues = []
    for i in range(n):
        text = (f"Condition {i} of the *daemon* is not handled, and guests on host {i % 97} stop.\n\n"
                "To work around this problem:\n"
                "# Set the memory:\n"
                f"{{code:bash}}\nvirsh setmem guest{i} {1024 + i}M --config\n{{code}}\n"
                "# Restart the guest.\n\n"
                "* the guest restarts\n* nothing else changes\n")
        issues.append({"key": f"RHEL-{10_000 + i}", "fields": {
            "summary": f"Guest {i} stops when memory is set [{i}]",
            "components": [{"name": ["libvirt", "qemu-kvm", "kernel"][i % 3]}],
            "fixVersions": [{"name": "RHEL 9.4"}], "versions": [], "status": {"name": "Closed"},
            "customfield_12320850": {"value": NOTE_TYPES[i % len(NOTE_TYPES)]},
            "customfield_12317313": text}})
    return {"startAt": 0, "maxResults": n, "total": n, "issues": issues}


def child(mode: str, source: Path, site: Path, tracker: str = "bugzilla") -> None:
    start = time.perf_counter()
    if mode == "baseline":
        json.loads(source.read_bytes())
    elif mode == "write":
        files = json.loads(source.read_text())
        start = time.perf_counter()
        for relative, text in files.items():
            target = site / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as handle:
                handle.write(text)
    else:
        import contextlib
        import io

        from relnotes.importing.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main([tracker, str(source), "--into", str(site)]) == 0
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # KiB -> MiB
    # CPU time too: on a shared 2-core machine, wall time mostly measures the neighbours.
    print(json.dumps({"seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mib": peak}))


def measure(mode: str, source: Path, site: Path, tracker: str = "bugzilla") -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--tracker", tracker, "--child", mode,
                          str(source), str(site)],
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--child", nargs=3)
    parser.add_argument("--dir", default=None,
                        help="where the sites are written (e.g. /dev/shm: no disk in the way)")
    parser.add_argument("--tracker", choices=("bugzilla", "jira"), default="bugzilla")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]), args.tracker)
        return
    make = synthetic_jira if args.tracker == "jira" else synthetic
    noun = "tickets" if args.tracker == "jira" else "bugs"
    print(f"| {noun} | pages | files written | read + parse JSON | plain writes of the output "
          "(CPU) | import (CPU, whole process) | vs plain writes | import peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            source = Path(tmp) / "bugs.json"
            source.write_text(json.dumps(make(n)))
            site = Path(tmp) / "site"
            site.mkdir()
            (site / "conf.py").write_text("extensions = []\n")
            base = measure("baseline", source, site)
            run = measure("import", source, site, args.tracker)
            pages = len(list((site / "source" / "issues").glob("*.md")))
            output = {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*")
                      if p.is_file() and p.name != "conf.py"}
            listing = Path(tmp) / "output.json"
            listing.write_text(json.dumps(output))
            (Path(tmp) / "plain").mkdir()
            plain = measure("write", listing, Path(tmp) / "plain")
            print(f"| {n:,} | {pages:,} | {len(output):,} "
                  f"| {base['seconds']:.2f} s | {plain['seconds']:.2f} s ({plain['cpu']:.2f} s) "
                  f"| {run['seconds']:.2f} s ({run['cpu']:.2f} s) "
                  f"| {run['seconds'] / plain['seconds']:.2f}x "
                  f"| {run['peak_mib']:.0f} MiB |")


if __name__ == "__main__":
    main()
