"""The daemon in its container: guests run, versions are real, exec is contained, failures are loud."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

import libvirt
import libvirt_qemu
import pytest
from relnotes.engine.container import (
    DaemonLostError,
    DaemonUnhealthyError,
    ExecTimeoutError,
    RunningDaemon,
    adapt_to_accelerator,
    minimal_domain_xml,
    running_daemon,
)
from relnotes.engine.container.podman import run_podman
from relnotes.engine.container.reaper import OWNER_LABEL, current_owner, socket_dir_prefix
from relnotes.engine.container.targets import TARGETS

# The lead registers the plugin in tests/conftest.py; this keeps the module runnable alone.

pytestmark = pytest.mark.libvirt


def qmp(domain: libvirt.virDomain, command: str) -> dict[str, object]:
    reply = libvirt_qemu.qemuMonitorCommand(domain, json.dumps({"execute": command}), 0)
    result: dict[str, object] = json.loads(reply)["return"]
    return result


def host_qemu_pids(guest: str) -> list[int]:
    """Host pids of QEMU processes running *guest* (the container's pid namespace is nested)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if argv[0].endswith(b"qemu-system-x86_64") and f"guest={guest},".encode() in b" ".join(argv):
            pids.append(int(cmdline.parent.name))
    return pids


def test_minimal_guest_runs_and_answers_qmp(
    libvirt_daemon: RunningDaemon, libvirt_conn: libvirt.virConnect
) -> None:
    name = f"relnotes-test-{uuid.uuid4().hex[:8]}"
    domain = libvirt_conn.defineXML(minimal_domain_xml(name, libvirt_daemon.domain_type))
    domain.create()
    assert domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING
    assert qmp(domain, "query-status")["status"] == "running"
    assert qmp(domain, "query-kvm")["enabled"] is (libvirt_daemon.environment.accelerator == "kvm")
    # QEMU runs inside the container: its pid namespace is not ours.
    [pid] = host_qemu_pids(name)
    assert os.readlink(f"/proc/{pid}/ns/pid") != os.readlink("/proc/self/ns/pid")
    domain.destroy()
    assert domain.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF


def test_environment_is_read_from_the_running_daemon(libvirt_daemon: RunningDaemon) -> None:
    environment = libvirt_daemon.environment
    target = libvirt_daemon.target
    assert environment.target == target.name
    assert int(environment.libvirt_version.split(".")[0]) == target.libvirt_major
    assert int(environment.qemu_version.split(".")[0]) == target.qemu_major
    # virsh inside the container agrees with what the API reported.
    version = libvirt_daemon.exec(["virsh", "version"], timeout=30).stdout.decode()
    assert f"libvirt {environment.libvirt_version}" in version
    assert f"QEMU {environment.qemu_version}" in version
    image = run_podman("inspect", "--format", "{{.Image}}", libvirt_daemon.container).stdout.strip()
    assert image == environment.image_id
    has_kvm = libvirt_daemon.exec(["test", "-c", "/dev/kvm"], timeout=30).returncode == 0
    assert environment.accelerator == ("kvm" if has_kvm else "tcg")


def test_exec_runs_inside_the_container_with_input_and_env(libvirt_daemon: RunningDaemon) -> None:
    result = libvirt_daemon.exec(
        ["sh", "-c", 'cat; echo "$GREETING"; . /etc/os-release; echo "$VERSION_CODENAME"; exit 7'],
        input=b"from stdin\n",
        env={"GREETING": "hello"},
        timeout=30,
    )
    assert result.returncode == 7
    assert result.stdout.decode().split("\n")[:3] == ["from stdin", "hello", libvirt_daemon.target.suite]


def test_exec_has_no_network(libvirt_daemon: RunningDaemon) -> None:
    interfaces = libvirt_daemon.exec(["ls", "/sys/class/net"], timeout=30).stdout.split()
    assert interfaces == [b"lo"]


def test_exec_timeout_kills_everything_the_command_started(libvirt_daemon: RunningDaemon) -> None:
    started = time.monotonic()
    with pytest.raises(ExecTimeoutError) as caught:
        libvirt_daemon.exec(["sh", "-c", "echo started; sleep 301 & setsid sleep 302 & sleep 303"], timeout=1)
    assert time.monotonic() - started < 15
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.stdout == b"started\n"
    listing = libvirt_daemon.exec(
        ["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"], timeout=30
    ).stdout.decode()
    assert not re.search(r"sleep 30[123]", listing), listing
    assert "libvirtd" in listing  # the daemon itself was spared


def test_write_file_then_validate_with_the_container_schemas(libvirt_daemon: RunningDaemon) -> None:
    good = minimal_domain_xml("validate-me", libvirt_daemon.domain_type).encode()
    libvirt_daemon.write_file("/tmp/relnotes/good.xml", good, mode=0o600)
    stat = libvirt_daemon.exec(["stat", "-c", "%a %s", "/tmp/relnotes/good.xml"], timeout=30)
    assert stat.stdout.decode().split() == ["600", str(len(good))]
    ok = libvirt_daemon.exec(["virt-xml-validate", "/tmp/relnotes/good.xml", "domain"], timeout=60)
    assert ok.returncode == 0, ok.stderr
    bad = good.replace(b"<vcpu>1</vcpu>", b"<vcpu>one</vcpu>")
    libvirt_daemon.write_file("/tmp/relnotes/bad.xml", bad)
    refused = libvirt_daemon.exec(["virt-xml-validate", "/tmp/relnotes/bad.xml", "domain"], timeout=60)
    assert refused.returncode != 0
    assert b"fails to validate" in refused.stderr + refused.stdout


@pytest.mark.parametrize("target", list(TARGETS))
def test_forced_tcg_runs_a_kvm_snippet_after_adaptation(target: str) -> None:
    snippet = minimal_domain_xml("tcg-guest", "kvm").replace(
        "<vcpu>1</vcpu>", "<vcpu>1</vcpu><cpu mode='host-passthrough'/>"
    )
    with running_daemon(target, accelerator="tcg") as daemon:
        assert (daemon.environment.accelerator, daemon.domain_type) == ("tcg", "qemu")
        assert daemon.exec(["test", "-e", "/dev/kvm"], timeout=30).returncode == 1
        connection = daemon.connect()
        with pytest.raises(libvirt.libvirtError):  # the unadapted XML cannot start here
            connection.createXML(snippet, 0)
        domain = connection.createXML(adapt_to_accelerator(
            snippet, daemon.domain_type, libvirt_version=daemon.environment.libvirt_version), 0)
        assert domain.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        assert qmp(domain, "query-kvm")["enabled"] is False
        connection.close()


def leftovers() -> tuple[set[str], set[Path]]:
    """This process's daemon containers and socket dirs (session daemons included)."""
    owner = current_owner()
    names = run_podman(
        "ps", "--all", "--filter", f"label={OWNER_LABEL}={owner}", "--format", "{{.Names}}"
    ).stdout.split()
    return set(names), set(Path("/tmp").glob(f"{socket_dir_prefix(owner)}*"))


def test_health_timeout_raises_with_log_tail_and_leaves_nothing() -> None:
    before = leftovers()
    with pytest.raises(DaemonUnhealthyError) as caught, running_daemon("trixie", timeout=0.2):
        pytest.fail("a daemon cannot be healthy within 0.2 s")
    message = str(caught.value)
    assert "libvirt daemon (trixie) not healthy within 0.2 s" in message
    assert "--- daemon log tail ---" in message
    assert "relnotes-libvirtd: starting virtlogd and libvirtd" in caught.value.log
    assert leftovers() == before


def test_daemon_lost_fails_every_later_call() -> None:
    before = leftovers()
    with running_daemon("trixie") as daemon:
        connection = daemon.connect()
        run_podman("exec", daemon.container, "sh", "-c", "kill -s KILL $(cat /run/libvirtd.pid)")
        deadline = time.monotonic() + 15
        while daemon.is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not daemon.is_alive()
        calls = {
            "exec": lambda: daemon.exec(["true"], timeout=30),
            "write_file": lambda: daemon.write_file("/tmp/x", b"x"),
            "connect": daemon.connect,
            "ensure_alive": daemon.ensure_alive,
        }
        for name, call in calls.items():
            with pytest.raises(DaemonLostError, match="is no longer running") as caught:
                call()
            assert "relnotes-libvirtd: starting" in caught.value.log, name
        with pytest.raises(libvirt.libvirtError):  # a connection made earlier fails too
            connection.getVersion()
        assert "relnotes-libvirtd: starting" in daemon.log_tail()
    assert leftovers() == before
    with pytest.raises(DaemonLostError):  # and once removed, even the log is gone
        daemon.log_tail()
