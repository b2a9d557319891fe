"""A frozen daemon (``kill -STOP`` of libvirtd while a check runs) never hangs a run: every
libvirt call has a deadline, cleanup's included; TERM ends a run as Ctrl-C does (results kept,
containers removed, exit 143); and any run reaps what killed runs left, even one that starts
no daemon. Against real daemons, on every target."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from relnotes.core.ledger import Status, load_ledger
from relnotes.engine.connection import DaemonUnresponsiveError
from relnotes.engine.container.podman import run_podman
from relnotes.engine.container.reaper import OWNER_LABEL, TARGET_LABEL, daemon_containers
from relnotes.engine.container.targets import TARGETS
from relnotes.engine.deadline import Deadlined

from tests.test_container_reaper import dead_owner

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parents[1]
GUEST = (ROOT / "snippets/_guests/minimal.xml").read_text()
TIMEOUT = 10  # the check's own
# Root, in the background, 3 s after setup: libvirtd is stopped while the step runs.
FREEZE = ("setsid sh -c 'sleep 3; for p in /proc/[0-9]*; do "
          "[ \\\"$(cat $p/comm 2>/dev/null)\\\" = libvirtd ] && kill -STOP ${p#/proc/}; done' "
          "</dev/null >/dev/null 2>&1 &")


def frozen_snippets(tmp_path: Path, timeout: int = TIMEOUT) -> Path:
    root = tmp_path / "snippets"
    (root / "_guests").mkdir(parents=True)
    (root / "_guests/minimal.xml").write_text(GUEST)
    (root / "a").mkdir()
    (root / "a/slow.sh").write_text(f"sleep {timeout + 15}\n")
    (root / "a/slow.sh.check.toml").write_text(
        f'kind = "shell"\ntimeout = {timeout}\n\n'
        f'[[setup]]\nrun = ["sh", "-c", "{FREEZE}"]\n'
        'why = "freezes the daemon while the step runs, as a wedged one would be"\n\n'
        '[[steps]]\nsnippet = "slow.sh"\n')
    (root / "b").mkdir()
    (root / "b/after.sh").write_text("true\n")  # on the frozen daemon: must not wait either
    (root / "b/after.sh.check.toml").write_text(f'kind = "shell"\ntimeout = {TIMEOUT}\n\n'
                                                '[[steps]]\nsnippet = "after.sh"\n')
    return root


def verify(snippets: Path, out: Path, target: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "relnotes.cli", "verify", "--force", "--accel", "tcg",
         "--jobs", "1", "--target", target, "--snippets-dir", str(snippets), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")})


def containers_of(pid: int) -> list[str]:
    return [c.name for c in daemon_containers() if c.owner_label.startswith(f"{pid}-")]


@pytest.mark.libvirt
@pytest.mark.parametrize("target", list(TARGETS))
def test_a_frozen_daemon_ends_the_run_within_the_timeout_and_30_s(
        tmp_path: Path, target: str) -> None:
    started = time.monotonic()
    process = verify(frozen_snippets(tmp_path), tmp_path / "out", target)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT + 30 + 60)  # + the daemon's start
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the run hung on a frozen daemon") from None
    took = time.monotonic() - started
    assert process.returncode == 1, stderr
    ledger = load_ledger(tmp_path / "out/ledger.json")
    slow = ledger.get("a/slow.sh", target)
    assert slow is not None and slow.result is Status.FAILED, stdout + stderr
    after = ledger.get("b/after.sh", target)
    assert after is not None and after.result is Status.FAILED
    assert "stopped answering" in (after.reason or "") or "did not answer" in (after.reason or "")
    assert containers_of(process.pid) == []
    # The checks' part of the run (the daemon's start excluded) ends within timeout + 30 s.
    print(f"{target}: the run with a frozen daemon took {took:.1f} s")


@pytest.mark.libvirt
@pytest.mark.parametrize("target", list(TARGETS))
def test_term_during_a_frozen_daemon_ends_the_run_with_143_and_keeps_its_results(
        tmp_path: Path, target: str) -> None:
    # A check long enough that TERM surely comes while its step runs on the frozen daemon.
    process = verify(frozen_snippets(tmp_path, timeout=60), tmp_path / "out", target)
    assert process.stdout is not None
    time.sleep(1)
    # Wait until the check runs (its daemon is up), then until the daemon is frozen.
    deadline = time.monotonic() + 120
    while not containers_of(process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert containers_of(process.pid), process.communicate()
    time.sleep(8)  # the setup ran and froze libvirtd; the step is sleeping
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=30 + 15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("TERM did not end a run whose daemon is frozen") from None
    assert process.returncode == 143, stderr
    assert "interrupted:" in stderr and "containers and guests removed" in stderr
    assert (tmp_path / "out/ledger.json").is_file()
    assert containers_of(process.pid) == []


@pytest.mark.libvirt
def test_a_run_that_starts_no_daemon_reaps_what_a_killed_run_left(tmp_path: Path) -> None:
    owner = dead_owner()
    name = f"relnotes-libvirt-orphan-{owner}"
    image = run_podman("images", "--format", "{{.Repository}}:{{.Tag}}",
                       "--filter", "reference=localhost/debian-base").stdout.split()[0]
    run_podman("create", "--name", name, "--label", f"{OWNER_LABEL}={owner}",
               "--label", f"{TARGET_LABEL}=bookworm", image, "sleep", "600")
    try:
        assert name in [c.name for c in daemon_containers()]
        empty = tmp_path / "snippets"
        empty.mkdir()
        done = subprocess.run(
            [sys.executable, "-m", "relnotes.cli", "verify", "--target", "bookworm",
             "--snippets-dir", str(empty), "--out", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")})
        assert done.returncode == 0, done.stderr
        assert "0 checks ran" in done.stdout  # no check, no daemon: nothing else to reap by
        assert name not in [c.name for c in daemon_containers()]
    finally:
        run_podman("rm", "--force", "--time", "0", "--ignore", name)


def test_a_call_past_its_deadline_is_abandoned_and_marks_the_connection() -> None:
    release = threading.Event()

    class Frozen:
        def lookupByName(self, name: str) -> str:
            release.wait(30)
            return name

        def getLibVersion(self) -> int:
            return 9000000

    connection = Deadlined(Frozen(), lambda: 0.2)
    assert connection.getLibVersion() == 9000000 and not connection.abandoned
    started = time.monotonic()
    with pytest.raises(DaemonUnresponsiveError, match=r"did not answer lookupByName within 0\.2 s"):
        connection.lookupByName("guest")
    assert time.monotonic() - started < 2
    assert connection.abandoned  # so the check does not close it under the running call
    release.set()
