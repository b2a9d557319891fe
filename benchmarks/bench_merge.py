"""Merge benchmark: ``relnotes verify merge`` over many large ledgers, against a floor.

Generates L ledgers of R records each, as CI machines would write them (realistic records:
five layers, five input digests, an observation, a short log; format 3, one record a line, as
runs write them, or ``--format 2``, the one JSON object runs wrote before), and measures in one
run, each as its own process (wall time, CPU time and peak RSS):

  (read)   every file read line by line, nothing parsed: what the disk and the page cache cost;
  (floor)  the stdlib's ``json`` parsing every ledger (each line of a format 3 file, each
           format 2 file whole), one after the other: parsing the bytes at all;
  (merge)  ``relnotes verify merge`` of all of them into one file (on both cores when there
           is enough to share);
  (one)    the same merge held to one process, to see what the second core gives.

Two shapes: ``disjoint`` (each ledger its own snippets: the merged ledger has L x R records,
as sharded per-target CI jobs give) and ``overlap`` (every ledger the same R (snippet, target)
pairs from L machines that agree: the merged ledger keeps each machine's record).

Usage (from the repository root, with the venv's python)::

    python benchmarks/bench_merge.py                       # 100 ledgers x 10,000 records
    python benchmarks/bench_merge.py --ledgers 10 --records 1000 --shape overlap
    python benchmarks/bench_merge.py --ledgers 10 --format 2    # ledgers of the older format

Results: a table on stdout and ``benchmarks/_work/merge/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / "_work" / "merge"
TARGETS = ("bullseye", "bookworm", "trixie", "trixie-backports")
TARGET_SECONDS = 10.0
TARGET_RSS_BYTES = 500 * 1024**2
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def record(snippet: str, target: str, machine: int, when: datetime) -> dict[str, object]:
    environment = {"target": target, "libvirt_version": "9.0.0", "qemu_version": "7.2.22",
                   "accelerator": "kvm", "image_id": "ab" * 32,
                   "label": "libvirt 9.0.0 / QEMU 7.2.22 (KVM)"}
    return {
        "snippet": snippet, "target": target, "sha256": "5" * 64, "inputs_sha256": "1" * 64,
        "result": "passed", "reason": None, "check": snippet,
        "layers": {name: {"status": "passed", "detail": f"{name} ok"}
                   for name in ("schema", "semantic", "run", "effect", "control")},
        "environment": environment,
        "verified_at": (when + timedelta(seconds=machine)).isoformat().replace("+00:00", "Z"),
        "duration": 1.25, "log": "define ok\nstart ok\nprobe cpu flags: nx\n" * 4,
        "observation": "cpu flags contains 'nx'", "summary": "the vCPU has NX",
        "adaptation": None,
        "inputs": {name: "2" * 64 for name in ("engine", "spec", "snippet", "base guest",
                                               "environment definition")},
        "run": {"sequence": 1, "id": f"{machine:016x}", "machine": f"m{machine:015d}"},
        "observations": [{"probe": "cpu flags", "expectation": "contains 'nx'",
                          "value": "['nx']", "control_value": "[]", "control_meets": False}],
    }


def generate(directory: Path, ledgers: int, records: int, shape: str, form: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(ledgers):
        items = []
        for number in range(records):
            target = TARGETS[number % len(TARGETS)]
            key = number // len(TARGETS) if shape == "overlap" else (
                index * records + number) // len(TARGETS)
            items.append(record(f"kvm/issue-{key:07d}/fix.xml", target, index, T0))
        items.sort(key=lambda item: (item["snippet"], item["target"]))
        path = directory / f"ledger-{index:03d}.json"
        if form == 3:  # as relnotes writes it: a header line, one compact record a line
            lines = [json.dumps({"format": 3, "sequence": 1}, separators=(",", ":"))]
            lines += [json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                      for item in items]
            path.write_text("\n".join(lines) + "\n")
        else:
            path.write_text(json.dumps({"format": 2, "sequence": 1, "records": items},
                                       indent=1, sort_keys=True) + "\n")
        paths.append(path)
    return paths


def measure(command: list[str]) -> tuple[float, int, int, float]:
    """Wall seconds, peak RSS (bytes) of the process and its children, its exit status, their
    CPU seconds (on a shared machine the wall time also measures the other tenants; both are
    recorded)."""
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, cpu = 0, 0.0
    while process.poll() is None:
        try:
            # the merge may fork a second process: its memory and CPU count too
            children = process.children(recursive=True)
            peak = max(peak, process.memory_info().rss + sum(
                child.memory_info().rss for child in children))
            times = process.cpu_times()
            cpu = times.user + times.system + times.children_user + times.children_system
            cpu += sum(sum(child.cpu_times()[:2]) for child in children)
        except psutil.NoSuchProcess:
            pass  # a child ended between the listing and the reading
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        sys.stderr.write(process.stderr.read().decode() if process.stderr else "")
    return elapsed, peak, process.returncode, cpu


ONE_PROCESS = ("import sys\nfrom relnotes.core.ledger import _stream\n"
               "_stream.PARALLEL_BYTES = 1 << 62\nfrom relnotes.cli import main\n"
               "sys.exit(main(['verify', 'merge', *sys.argv[1:]]))\n")
READ = "import sys\nfor p in sys.argv[1:]:\n    for line in open(p, 'rb'):\n        pass\n"
FLOOR = {
    3: "import json, sys\nfor p in sys.argv[1:]:\n    for line in open(p, 'rb'):\n"
       "        json.loads(line)\n",
    2: "import json, sys\nfor p in sys.argv[1:]:\n    json.load(open(p, encoding='utf-8'))\n",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledgers", type=int, default=100)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--shape", choices=("disjoint", "overlap"), default="disjoint")
    parser.add_argument("--format", type=int, choices=(2, 3), default=3, dest="form")
    args = parser.parse_args()
    work = WORK / f"{args.shape}-{args.ledgers}x{args.records}-f{args.form}"
    shutil.rmtree(work, ignore_errors=True)
    paths = generate(work / "in", args.ledgers, args.records, args.shape, args.form)
    size = sum(path.stat().st_size for path in paths)
    load_before = os.getloadavg()[0]
    read = measure([sys.executable, "-c", READ, *map(str, paths)])
    floor = measure([sys.executable, "-c", FLOOR[args.form], *map(str, paths)])
    relnotes = str(Path(sys.executable).with_name("relnotes"))
    merge = measure([relnotes, "verify", "merge", *map(str, paths), "-o", str(work / "out.json")])
    one = measure([sys.executable, "-c", ONE_PROCESS, *map(str, paths), "-o",
                   str(work / "one.json")])
    if one[2] == 0 and merge[2] == 0:
        assert (work / "one.json").read_bytes() == (work / "out.json").read_bytes()
    (work / "one.json").unlink(missing_ok=True)
    merged = 0
    if merge[2] == 0:
        with (work / "out.json").open("rb") as out:
            merged = sum(1 for _line in out) - 1  # the lines after the header
    (work / "out.json").unlink(missing_ok=True)
    rows = {"read (lines, no parsing)": read, "floor (stdlib json)": floor,
            "relnotes verify merge": merge, "the merge in one process": one}
    load_after = os.getloadavg()[0]
    print(f"{args.ledgers} ledgers x {args.records} records ({args.shape}, format {args.form}), "
          f"{size / 1024**2:.0f} MiB of JSON; merged: {merged} records; load average "
          f"{load_before:.1f} before, {load_after:.1f} after")
    print("| step | wall | CPU | peak RSS | vs floor (CPU) |\n|---|---|---|---|---|")
    for name, (wall, rss, _code, cpu) in rows.items():
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss / 1024**2:.0f} MiB | "
              f"{cpu / floor[3]:.2f}x |")
    ok = merge[2] == 0 and merge[0] < TARGET_SECONDS and merge[1] < TARGET_RSS_BYTES
    print(f"target: merge under {TARGET_SECONDS:.0f} s and "
          f"{TARGET_RSS_BYTES // 1024**2} MiB: {'met' if ok else 'NOT met'}")
    shutil.rmtree(work / "in")  # gigabytes: leave no generated ledgers behind
    (WORK / "results.json").write_text(json.dumps({
        "shape": args.shape, "format": args.form, "ledgers": args.ledgers,
        "records": args.records, "json_mib": size / 1024**2, "merged_records": merged,
        "read": {"wall": read[0], "rss": read[1], "cpu": read[3]},
        "floor": {"wall": floor[0], "rss": floor[1], "cpu": floor[3]},
        "load_average": [load_before, load_after],
        "merge": {"wall": merge[0], "rss": merge[1], "exit": merge[2], "cpu": merge[3]},
        "one_process": {"wall": one[0], "rss": one[1], "exit": one[2], "cpu": one[3]},
        "machine": platform.platform(), "when": datetime.now(UTC).isoformat(),
    }, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
