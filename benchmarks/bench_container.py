"""Container harness benchmark: what the containerised libvirt costs.

Measures, in one run, for each target:

  base bootstrap  debootstrap + ``podman import`` from scratch, into a scratch tag that is
                  removed afterwards (the real base is kept); once per suite
  cold build      the target image through ``ensure_image(rebuild=True)``: no layer cache,
                  packages fetched from the Debian mirror, base kept
  warm start      ``running_daemon()`` entry until healthy with the image cached (target
                  <= 5 s), and its teardown; median of ``--repeat``
  guest cycle     define + start + destroy + undefine of the minimal guest through the
                  daemon's socket; median of ``--guest-repeat``, compared with the same cycle
                  on the host's own libvirt (``qemu:///system``) when one is running
                  (ratio target <= 1.2)
  exec            ``podman exec true`` round trip, the floor of every in-container command

Usage (repository root)::

    python benchmarks/bench_container.py                    # everything, both targets
    python benchmarks/bench_container.py --targets trixie --skip-bootstrap --skip-cold-build

Prints a Markdown section for benchmarks/RESULTS.md; raw numbers go to
``benchmarks/_work/container/results-<accel>.json``. ``--accel tcg`` measures the TCG fallback
(the host comparison then uses ``<domain type='qemu'>`` too).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "_ext"))

import libvirt  # noqa: E402  (after the path set-up, like the package it measures)
from relnotes.core.environment import version_string  # noqa: E402
from relnotes.engine.container import minimal_domain_xml, running_daemon  # noqa: E402
from relnotes.engine.container.daemon import kvm_usable  # noqa: E402
from relnotes.engine.container.images import bootstrap_base_image, ensure_image, image_id_of  # noqa: E402
from relnotes.engine.container.podman import podman_argv, run_podman  # noqa: E402
from relnotes.engine.container.targets import TARGETS, parse_target_list  # noqa: E402

WORK = REPO / "benchmarks" / "_work" / "container"
HOST_URI = "qemu:///system"
HOST_SOCKET = Path("/run/libvirt/libvirt-sock")


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def guest_cycle(connection: Any, domain_type: str, name: str) -> tuple[float, float]:
    """Seconds for define + start, and for destroy + undefine, of the minimal guest."""
    xml = minimal_domain_xml(name, domain_type)
    started = time.perf_counter()
    domain = connection.defineXML(xml)
    domain.create()
    running = time.perf_counter()
    domain.destroy()
    domain.undefine()
    return running - started, time.perf_counter() - running


def guest_cycles(uri: str, domain_type: str, repeat: int) -> dict[str, float]:
    """Medians of the two halves of the cycle and of the whole."""
    connection = libvirt.open(uri)
    try:
        guest_cycle(connection, domain_type, "bench-warmup")  # first start loads firmware
        samples = [guest_cycle(connection, domain_type, f"bench-{i}") for i in range(repeat)]
    finally:
        connection.close()
    return {
        "guest_start_s": median([start for start, _ in samples]),
        "guest_stop_s": median([stop for _, stop in samples]),
        "guest_cycle_s": median([start + stop for start, stop in samples]),
    }


def bench_bootstrap(suite: str) -> float:
    scratch = f"localhost/relnotes-bench-base:{suite}"
    try:
        return timed(lambda: bootstrap_base_image(suite, scratch))
    finally:
        if image_id_of(scratch) is not None:
            run_podman("rmi", scratch)


def bench_target(name: str, args: argparse.Namespace) -> dict[str, Any]:
    target = TARGETS[name]
    result: dict[str, Any] = {"target": name}
    if not args.skip_bootstrap:
        print(f"[{name}] bootstrapping a scratch base from the mirror ...", file=sys.stderr)
        result["base_bootstrap_s"] = bench_bootstrap(target.suite)
    if not args.skip_cold_build:
        print(f"[{name}] cold build (no layer cache) ...", file=sys.stderr)
        result["cold_build_s"] = timed(lambda: ensure_image(target, rebuild=True))
    ensure_image(target)  # warm from here on

    starts: list[float] = []
    stops: list[float] = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        with running_daemon(target, accelerator=args.accel) as daemon:
            starts.append(time.perf_counter() - started)
            stopping = time.perf_counter()
        stops.append(time.perf_counter() - stopping)
    result["warm_start_s"] = median(starts)
    result["warm_start_max_s"] = max(starts)
    result["teardown_s"] = median(stops)

    with running_daemon(target, accelerator=args.accel) as daemon:
        result["environment"] = daemon.environment.to_dict()
        result["label"] = daemon.environment.label
        result.update(guest_cycles(daemon.uri, daemon.domain_type, args.guest_repeat))
        exec_argv = podman_argv("exec", daemon.container, "true")
        result["exec_s"] = median(
            [timed(lambda: subprocess.run(exec_argv, check=True)) for _ in range(args.guest_repeat)]
        )
    return result


def bench_host(repeat: int, accel: str) -> dict[str, Any] | None:
    if not HOST_SOCKET.is_socket():
        return None
    connection = libvirt.open(HOST_URI)
    libvirt_version, qemu_version = connection.getLibVersion(), connection.getVersion()
    connection.close()
    domain_type = "kvm" if kvm_usable() and accel != "tcg" else "qemu"
    return {
        "libvirt": version_string(libvirt_version),
        "qemu": version_string(qemu_version),
        "domain_type": domain_type,
        **guest_cycles(HOST_URI, domain_type, repeat),
    }


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory_kib / 1024 / 1024:.0f} GiB",
        "kernel": platform.release(),
        "os": platform.freedesktop_os_release().get("PRETTY_NAME", "?"),
        "podman": run_podman("--version").stdout.strip(),
        "kvm": "usable" if kvm_usable() else "absent (TCG)",
    }


def markdown(info: dict[str, str], results: list[dict[str, Any]], host: dict[str, Any] | None) -> str:
    lines = [
        f"Run {info['date']} on {info['cpu']}, {info['memory']}, {info['os']}, kernel {info['kernel']},",
        f"{info['podman']}, /dev/kvm {info['kvm']}. Medians; `python benchmarks/bench_container.py`.",
        "",
        "| target | versions | base bootstrap | cold build | warm start (max) | teardown | exec |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['target']} | {r['label']} | {_s(r.get('base_bootstrap_s'))} "
            f"| {_s(r.get('cold_build_s'))} | {_s(r['warm_start_s'])} ({_s(r['warm_start_max_s'])}) "
            f"| {_s(r['teardown_s'])} | {_s(r['exec_s'])} |"
        )
    lines += [
        "",
        "Minimal guest: define + start, destroy + undefine, whole cycle; ratio = container / host.",
        "",
        "| where | versions | define + start | destroy + undefine | cycle | start ratio | cycle ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if host:
            ratios = (
                f"{r['guest_start_s'] / host['guest_start_s']:.2f}x "
                f"| {r['guest_cycle_s'] / host['guest_cycle_s']:.2f}x"
            )
        else:
            ratios = "host libvirt not present | host libvirt not present"
        lines.append(
            f"| {r['target']} container | {r['label']} | {_s(r['guest_start_s'])} "
            f"| {_s(r['guest_stop_s'])} | {_s(r['guest_cycle_s'])} | {ratios} |"
        )
    if host:
        lines.append(
            f"| host | libvirt {host['libvirt']} / QEMU {host['qemu']} ({host['domain_type']}) "
            f"| {_s(host['guest_start_s'])} | {_s(host['guest_stop_s'])} | {_s(host['guest_cycle_s'])} "
            "| 1.00x | 1.00x |"
        )
    return "\n".join(lines)


def _s(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--repeat", type=int, default=5, help="warm starts per target")
    parser.add_argument("--guest-repeat", type=int, default=15, help="guest cycles per daemon")
    parser.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto")
    parser.add_argument("--skip-bootstrap", action="store_true")
    parser.add_argument("--skip-cold-build", action="store_true")
    args = parser.parse_args()

    info = machine()
    results = [bench_target(t.name, args) for t in parse_target_list(args.targets)]
    print("[host] guest cycle on the host's own libvirt ...", file=sys.stderr)
    host = bench_host(args.guest_repeat, args.accel)
    if host is None:
        print("host libvirt not present", file=sys.stderr)
    WORK.mkdir(parents=True, exist_ok=True)
    payload = {"machine": info, "targets": results, "host": host}
    (WORK / f"results-{args.accel}.json").write_text(json.dumps(payload, indent=2) + "\n")
    print(markdown(info, results, host))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
