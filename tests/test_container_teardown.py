"""Nothing outlives a run: not on success, failure, Ctrl-C, nor (after the next start) SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from relnotes.engine.container import running_daemon
from relnotes.engine.container.podman import run_podman
from relnotes.engine.container.reaper import OWNER_LABEL, SOCKET_DIR_PREFIX, Owner, daemon_containers
from test_container_daemon import host_qemu_pids

from tests.spawning import Spawned

pytestmark = pytest.mark.libvirt

EXT = Path(__file__).resolve().parents[1] / "_ext"

# A run that starts a daemon and a guest, reports them, then ends as told. It answers Ctrl-C
# whatever SIGINT disposition it inherited (a non-interactive shell passes it on ignored).
CHILD = """
import json, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from relnotes.engine.container import minimal_domain_xml, running_daemon
mode, guest = sys.argv[1:]
with running_daemon("trixie") as daemon:
    connection = daemon.connect()
    connection.createXML(minimal_domain_xml(guest, daemon.domain_type), 0)
    print(json.dumps({"container": daemon.container, "socket_dir": str(daemon.socket_dir)}), flush=True)
    if mode == "raise":
        raise RuntimeError("the snippet failed")
    if mode == "wait":
        time.sleep(600)
"""


def start_child(spawn: Spawned, mode: str, guest: str) -> subprocess.Popen[str]:
    return spawn(
        [sys.executable, "-c", CHILD, mode, guest],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(EXT)},
    )


def container_exists(name: str) -> bool:
    return run_podman("container", "exists", name, check=False).returncode == 0


def orphans() -> tuple[list[str], list[Path]]:
    """Daemon containers and socket dirs (anyone's) whose owner is dead."""
    containers = [
        c.name for c in daemon_containers() if (owner := c.owner) is not None and not owner.is_alive()
    ]
    directories = []
    for path in Path("/tmp").glob(f"{SOCKET_DIR_PREFIX}*"):
        pid, ticks = path.name.removeprefix(SOCKET_DIR_PREFIX).split("-")[:2]
        if not Owner(int(pid), int(ticks)).is_alive():
            directories.append(path)
    return containers, directories


def eventually(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def traces(info: dict[str, str], guest: str) -> dict[str, bool]:
    return {
        "container": container_exists(info["container"]),
        "socket dir": Path(info["socket_dir"]).exists(),
        "qemu": bool(host_qemu_pids(guest)),
    }


def gone(info: dict[str, str], guest: str) -> bool:
    return not any(traces(info, guest).values())


@pytest.mark.parametrize("ending", ["exit", "raise", "sigint"])
def test_the_run_cleans_up_after_itself(ending: str, spawn: Spawned) -> None:
    guest = f"relnotes-leak-{uuid.uuid4().hex[:8]}"
    child = start_child(spawn, "wait" if ending == "sigint" else ending, guest)
    assert child.stdout is not None
    info = json.loads(child.stdout.readline())
    if ending == "sigint":
        assert traces(info, guest) == {"container": True, "socket dir": True, "qemu": True}
        child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    # Python re-raises an uncaught SIGINT after cleanup, so the exit is "killed by SIGINT".
    expected = {"exit": 0, "raise": 1, "sigint": -signal.SIGINT}[ending]
    assert child.returncode == expected, stderr
    if ending != "exit":
        assert ("RuntimeError" if ending == "raise" else "KeyboardInterrupt") in stderr
    assert eventually(lambda: gone(info, guest)), traces(info, guest)


def test_ctrl_c_while_the_daemon_is_starting_leaves_nothing(spawn: Spawned) -> None:
    child = start_child(spawn, "exit", "unused")
    ticks = int(Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[19])
    owner = Owner(child.pid, ticks)

    def containers() -> list[str]:
        filter_ = f"label={OWNER_LABEL}={owner}"
        return run_podman("ps", "--all", "--filter", filter_, "--format", "{{.Names}}").stdout.split()

    assert eventually(lambda: bool(containers()), 60), "the child never created its container"
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert stdout == "", "the daemon was not healthy yet"
    assert "KeyboardInterrupt" in stderr
    assert containers() == []
    assert not list(Path("/tmp").glob(f"{SOCKET_DIR_PREFIX}{owner}-*"))


def test_sigkilled_run_is_reaped_by_the_next_start(spawn: Spawned) -> None:
    guest = f"relnotes-leak-{uuid.uuid4().hex[:8]}"
    child = start_child(spawn, "wait", guest)
    assert child.stdout is not None
    info = json.loads(child.stdout.readline())
    child.kill()
    child.wait(timeout=30)
    # SIGKILL runs no cleanup: everything is still there...
    assert traces(info, guest) == {"container": True, "socket dir": True, "qemu": True}
    containers, directories = orphans()
    assert info["container"] in containers
    assert Path(info["socket_dir"]) in directories
    # ...until any later start reaps it.
    with running_daemon("trixie"):
        assert gone(info, guest)
    assert eventually(lambda: gone(info, guest)), traces(info, guest)
    assert orphans() == ([], [])
