"""Importing N synthetic bugs from a saved Bugzilla response: time and peak memory.

Each size runs in a fresh process (peak RSS is per process). The baseline, measured in the
same run, is reading and parsing the same JSON file alone: the ratio says what the import
adds on top of what any reader of the file must pay.

    PYTHONPATH=_ext python benchmarks/bench_import.py [--sizes 1000,10000]
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


def child(mode: str, source: Path, site: Path) -> None:
    start = time.perf_counter()
    if mode == "baseline":
        json.loads(source.read_bytes())
    else:
        import contextlib
        import io

        from relnotes.importing.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["bugzilla", str(source), "--into", str(site)]) == 0
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    print(json.dumps({"seconds": elapsed, "peak_mib": peak}))


def measure(mode: str, source: Path, site: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(source), str(site)],
                         check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    print("| bugs | pages | file | baseline (read + parse JSON) | import | ratio | import peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "bugs.json"
            source.write_text(json.dumps(synthetic(n)))
            site = Path(tmp) / "site"
            site.mkdir()
            (site / "conf.py").write_text("extensions = []\n")
            base = measure("baseline", source, site)
            run = measure("import", source, site)
            pages = len(list((site / "source" / "issues").glob("*.md")))
            print(f"| {n:,} | {pages:,} | {source.stat().st_size / 2**20:.1f} MiB "
                  f"| {base['seconds']:.2f} s ({base['peak_mib']:.0f} MiB) "
                  f"| {run['seconds']:.2f} s | {run['seconds'] / base['seconds']:.0f}x "
                  f"| {run['peak_mib']:.0f} MiB |")


if __name__ == "__main__":
    main()
