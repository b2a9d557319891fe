"""Hostile snippets and interruptions against real daemons: each ends FAILED for itself, never a
pass for anything, nothing changes on the host and nothing is left running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from relnotes.core.ledger import Record, Status, load_ledger
from relnotes.engine.container import RunningDaemon, running_daemon
from relnotes.engine.container.errors import SocketCheckError
from relnotes.engine.container.podman import run_podman
from relnotes.engine.runner import run

from tests.spawning import Spawned

pytestmark = [pytest.mark.hostile, pytest.mark.libvirt]

ROOT = Path(__file__).resolve().parents[1]
GUEST = (ROOT / "snippets/_guests/minimal.xml").read_text()
# Finds libvirtd's pid inside the container (no procps there).
LIBVIRTD = ('for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = libvirtd ] && '
            'echo "${p#/proc/}"; done')


def snippets_with(tmp_path: Path, hostile: str, *, extra_steps: str = "") -> Path:
    """A hostile shell snippet, run first, and an honest check after it on the same daemon."""
    root = tmp_path / "snippets"
    (root / "_guests").mkdir(parents=True)
    (root / "_guests/minimal.xml").write_text(GUEST)
    (root / "a/hostile.sh").parent.mkdir()
    (root / "a/hostile.sh").write_text(hostile)
    (root / "a/hostile.sh.check.toml").write_text(
        'kind = "shell"\ntimeout = 40\n\n[[steps]]\nsnippet = "hostile.sh"\n' + extra_steps)
    (root / "b/e1000-nic.xml").parent.mkdir()
    (root / "b/e1000-nic.xml").write_text(
        "<interface type='user'><model type='e1000'/></interface>\n")
    (root / "b/e1000-nic.xml.check.toml").write_text(
        'kind = "xml-fragment"\ntimeout = 30\n[apply]\nmode = "append"\n'
        'target = "/domain/devices"\n\n[[effects]]\nprobe = "pci-ids"\n'
        'contains = "8086:100e"\ncontrol = { lacks = "8086:100e" }\n')
    return root


def factory(target: str) -> Iterator[RunningDaemon]:
    return running_daemon(target, accelerator="tcg")  # type: ignore[return-value]


def by_snippet(records: list[Record]) -> dict[tuple[str, str], Record]:
    return {(r.snippet, r.target): r for r in records}


def ours(pid: int) -> list[str]:
    """Daemon containers started by process ``pid`` that were not there when the test began
    (the session's shared daemons, started by this process too, are not the test's)."""
    names = run_podman("ps", "--all", "--format", "{{.Names}}").stdout.split()
    return [name for name in names if f"-{pid}-" in name and name not in _before]


_before: set[str] = set()


@pytest.fixture(autouse=True)
def containers_before() -> None:
    _before.clear()
    _before.update(run_podman("ps", "--all", "--format", "{{.Names}}").stdout.split())


def run_one(tmp_path: Path, snippets: Path) -> dict[tuple[str, str], Record]:
    result = run(snippets, tmp_path / "out", ["bookworm"], factory, force=True, jobs=1,
                 log=lambda _: None)
    assert ours(os.getpid()) == []  # nothing left running
    return by_snippet(result.records)


def assert_failed_alone(records: dict[tuple[str, str], Record], reason: str) -> None:
    """The hostile check failed, for its own reason; the honest one was not harmed."""
    hostile = records[("a/hostile.sh", "bookworm")]
    assert hostile.result is Status.FAILED
    assert reason in (hostile.reason or ""), hostile.reason
    honest = records[("b/e1000-nic.xml", "bookworm")]
    assert honest.result is Status.PASSED, honest.reason


def test_a_snippet_replacing_the_socket_with_a_symlink_fails_and_the_socket_stays(
        tmp_path: Path) -> None:
    host_target = tmp_path / "host-libvirt-sock"  # where the link would send the host
    records = run_one(tmp_path, snippets_with(
        tmp_path, "rm -f /run/libvirt/libvirt-sock\n"
                  f"ln -s {host_target} /run/libvirt/libvirt-sock\n"))
    assert_failed_alone(records, "a/hostile.sh exited 1 (expected 0): rm: cannot remove "
                                 "'/run/libvirt/libvirt-sock': Permission denied")
    assert not host_target.exists()


def test_a_snippet_killing_libvirtd_fails_and_the_daemon_lives_on(tmp_path: Path) -> None:
    records = run_one(tmp_path, snippets_with(tmp_path, f"kill -9 $({LIBVIRTD})\n"))
    assert_failed_alone(records, "a/hostile.sh exited 1 (expected 0): ")
    assert "Operation not permitted" in (records[("a/hostile.sh", "bookworm")].reason or "")


def test_a_snippet_writing_to_the_host_visible_directory_fails_and_leaves_nothing(
        tmp_path: Path) -> None:
    marker = f"hostile-{uuid.uuid4().hex[:8]}"
    seen: list[Path] = []

    @contextmanager
    def watching(target: str) -> Iterator[RunningDaemon]:
        with running_daemon(target, accelerator="tcg") as daemon:
            seen.append(daemon.socket_dir)
            yield daemon

    snippets = snippets_with(tmp_path, f"echo pwned > /run/libvirt/{marker}\n")
    result = run(snippets, tmp_path / "out", ["bookworm"], watching, force=True, jobs=1,
                 log=lambda _: None)
    assert_failed_alone(by_snippet(result.records),
                        f"/run/libvirt/{marker}: Permission denied")
    assert not seen[0].exists() and ours(os.getpid()) == []


def test_a_snippet_overwriting_a_path_another_check_uses_fails_and_the_other_passes(
        tmp_path: Path) -> None:
    # b/ installs /tmp/shared.txt (a path its spec declares) and reads it; a/ plants it first.
    snippets = snippets_with(tmp_path, "echo planted > /tmp/shared.txt\n")
    (snippets / "b/content.txt").write_text("honest\n")
    (snippets / "b/content.txt.check.toml").write_text('kind = "shell"\nverified_by = "read.sh"\n')
    (snippets / "b/read.sh").write_text("grep -qx honest /tmp/shared.txt\n")
    (snippets / "b/read.sh.check.toml").write_text(
        'kind = "shell"\n\n[[steps]]\nsnippet = "content.txt"\ninstall = "/tmp/shared.txt"\n'
        '\n[[steps]]\nsnippet = "read.sh"\n')
    records = run_one(tmp_path, snippets)
    assert_failed_alone(records, "a published step wrote outside the check's work directory "
                                 "and declared paths: /tmp/shared.txt")
    # Ran without error (it states no effect, so "unchecked", never "verified"): not harmed.
    assert records[("b/read.sh", "bookworm")].result is Status.UNCHECKED


def test_a_snippet_leaving_a_process_behind_has_it_killed(tmp_path: Path) -> None:
    processes: list[str] = []

    @contextmanager
    def looking(target: str) -> Iterator[RunningDaemon]:
        with running_daemon(target, accelerator="tcg") as daemon:
            yield daemon
            listing = daemon.exec(["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"],
                                  timeout=30)
            processes.append(listing.stdout.decode(errors="replace"))

    snippets = snippets_with(tmp_path, "nohup sleep 1000 >/dev/null 2>&1 &\n")
    result = run(snippets, tmp_path / "out", ["bookworm"], looking, force=True, jobs=1,
                 log=lambda _: None)
    log = by_snippet(result.records)[("a/hostile.sh", "bookworm")].log
    assert "(harness: stop uid" in log
    assert "libvirtd" in processes[0] and "sleep 1000" not in processes[0]


def test_the_host_refuses_a_socket_replaced_from_inside_the_container(tmp_path: Path) -> None:
    # As if a step had escaped to the container's root: the harness's own exec does it.
    with running_daemon("bookworm", accelerator="tcg") as daemon:
        daemon.exec(["sh", "-c", "mv /run/libvirt/libvirt-sock /run/libvirt/old && "
                     "ln -s /run/libvirt/old /run/libvirt/libvirt-sock"], timeout=30)
        assert daemon.sandbox_problem() == "the daemon's socket is a symbolic link"
        with pytest.raises(SocketCheckError, match=r"libvirt-sock is a symbolic link; refusing"):
            daemon.connect()
        daemon.exec(["sh", "-c", "rm /run/libvirt/libvirt-sock && "
                     "mv /run/libvirt/old /run/libvirt/libvirt-sock && touch /run/libvirt/extra"],
                    timeout=30)
        assert daemon.sandbox_problem() == ("new files in the socket dir shared with the host: "
                                            "extra")
        daemon.connect().close()  # the very socket it started with: accepted


def test_a_frozen_daemon_fails_its_checks_and_the_other_target_runs_to_the_end(
        tmp_path: Path) -> None:
    # A stated setup command (the harness's, run as root) freezes libvirtd where the harness
    # left a mark (bookworm); the procedure then defines its guest: a call that never returns.
    snippets = snippets_with(tmp_path, "true\n")
    (snippets / "a/hostile.sh.check.toml").write_text(
        'kind = "shell"\ntimeout = 40\n\n[[setup]]\nrun = ["sh", "-c", '
        + json.dumps(f"if [ -e /run/relnotes-freeze ]; then kill -STOP $({LIBVIRTD}); fi")
        + ']\n'
        'why = "freezes the daemon, as a wedged one would be"\n\n'
        '[[steps]]\nsnippet = "hostile.sh"\n')

    @contextmanager
    def freezing(target: str) -> Iterator[RunningDaemon]:
        with running_daemon(target, accelerator="tcg") as daemon:
            if target == "bookworm":
                daemon.write_file("/run/relnotes-freeze", b"")
            yield daemon

    result = run(snippets, tmp_path / "out", ["bookworm", "trixie"], freezing, force=True,
                 jobs=1, log=lambda _: None)
    records = by_snippet(result.records)
    frozen = records[("a/hostile.sh", "bookworm")]
    assert frozen.result is Status.FAILED
    assert frozen.reason == "harness: the libvirt daemon stopped answering (no reply within 8 s)"
    assert "connection closed due to keepalive timeout" in frozen.log
    assert records[("b/e1000-nic.xml", "bookworm")].result is Status.FAILED
    assert records[("a/hostile.sh", "trixie")].result is Status.UNCHECKED  # ran, no effect stated
    trixie = records[("b/e1000-nic.xml", "trixie")]
    assert trixie.result is Status.PASSED, trixie.reason
    assert ours(os.getpid()) == []
    assert load_ledger(tmp_path / "out/ledger.json").get("a/hostile.sh", "bookworm") is not None


def slow_snippets(tmp_path: Path) -> Path:
    """One quick check, then checks that take far longer than the interrupt allows."""
    root = tmp_path / "snippets"
    (root / "_guests").mkdir(parents=True)
    (root / "_guests/minimal.xml").write_text(GUEST)
    (root / "a/quick.sh").parent.mkdir()
    (root / "a/quick.sh").write_text("true\n")
    (root / "a/quick.sh.check.toml").write_text('kind = "shell"\n')
    for index in range(4):
        (root / f"b/slow{index}.sh").parent.mkdir(exist_ok=True)
        (root / f"b/slow{index}.sh").write_text("sleep 60\n")
        (root / f"b/slow{index}.sh.check.toml").write_text('kind = "shell"\ntimeout = 90\n')
    return root


@pytest.mark.parametrize(("signals", "code"), [
    ([signal.SIGINT], 130),
    ([signal.SIGINT, signal.SIGINT], 130),  # the second during the cleanup: must not cut it short
    ([signal.SIGTERM], 143),
], ids=["ctrl-c", "ctrl-c-twice", "term"])
def test_ctrl_c_stops_the_run_keeps_what_it_has_and_removes_everything(
        tmp_path: Path, signals: list[signal.Signals], code: int, spawn: Spawned) -> None:
    out = tmp_path / "out"
    process = spawn(
        [sys.executable, "-m", "relnotes.cli", "verify", "--force", "--accel", "tcg", "--jobs",
         "1", "--target", "bookworm", "--target", "trixie", "--snippets-dir",
         str(slow_snippets(tmp_path)), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "_ext")})
    assert process.stdout is not None
    done = set()
    while len(done) < 2:  # the quick check's result on both targets
        line = process.stdout.readline()
        assert line, process.communicate()[1]
        if ": a/quick.sh: unchecked" in line:  # ran without error; it states no effect
            done.add(line.split(":")[0])
    # The slow checks are still running: the signal interrupts a run, not its exit.
    assert process.poll() is None, process.communicate()
    for signum in signals:
        process.send_signal(signum)
    try:
        stdout, stderr = process.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the run went on for more than 5 s after Ctrl-C") from None
    assert process.returncode == code
    assert stderr == (f"interrupted: 2 results obtained before it kept in {out}/ledger.json; "
                      "containers and guests removed\n")
    assert stdout == ""
    ledger = load_ledger(out / "ledger.json")
    assert sorted(ledger.records) == [("a/quick.sh", "bookworm"), ("a/quick.sh", "trixie")]
    assert ours(process.pid) == []


def test_a_snippet_that_is_not_utf8_fails_in_the_schema_layer_and_a_doctype_is_kept(
        tmp_path: Path) -> None:
    root = tmp_path / "snippets"
    (root / "_guests").mkdir(parents=True)
    (root / "_guests/minimal.xml").write_text(GUEST)
    (root / "x").mkdir()
    (root / "x/latin1.xml").write_bytes(GUEST.replace("<vcpu>", "<!-- caf\xe9 --><vcpu>")
                                        .encode("latin-1"))
    (root / "x/latin1.xml.check.toml").write_text('kind = "domain-xml"\nnot_verifiable = "n"\n')
    (root / "x/doctype.xml").write_text("<!DOCTYPE domain>\n" + GUEST.split("-->", 1)[1].lstrip())
    (root / "x/doctype.xml.check.toml").write_text('kind = "domain-xml"\nnot_verifiable = "n"\n')
    result = run(root, tmp_path / "out", ["bookworm"], factory, force=True, jobs=1,
                 log=lambda _: None)
    records = by_snippet(result.records)
    latin1 = records[("x/latin1.xml", "bookworm")]
    assert latin1.result is Status.FAILED
    offset = (root / "x/latin1.xml").read_bytes().index(b"\xe9")
    assert latin1.reason == f"schema: x/latin1.xml: not UTF-8 text (byte {offset})"
    assert "harness" not in latin1.layers
    doctype = records[("x/doctype.xml", "bookworm")]
    assert doctype.result is Status.NOT_VERIFIABLE
    assert doctype.layers["schema"].status.value == "passed"
    assert doctype.layers["semantic"].status.value == "passed"
