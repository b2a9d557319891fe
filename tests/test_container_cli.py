"""The writers' CLI: up, status, shell and down, through `python -m` as writers type it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libvirt
import pytest
from relnotes.engine.container.podman import run_podman

EXT = Path(__file__).resolve().parents[1] / "_ext"


def cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relnotes.cli", "container", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(EXT), "RELNOTES_STATE_DIR": str(state)},
        check=False,
        timeout=300,
    )


def container_exists(name: str) -> bool:
    return run_podman("container", "exists", name, check=False).returncode == 0


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = cli(tmp_path, "--help")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")]
    assert listed == ["up", "down", "status", "shell"]


def test_unknown_target_is_an_error(tmp_path: Path) -> None:
    result = cli(tmp_path, "up", "--target", "sid")
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: unknown libvirt target 'sid'; known targets: "
                                     "bullseye, bookworm, trixie, trixie-backports")


@pytest.mark.libvirt
def test_up_status_shell_down(tmp_path: Path) -> None:
    state = tmp_path / "state"
    try:
        assert "no daemon is up" in cli(state, "status").stdout
        up = cli(state, "up", "--target", "trixie")
        assert up.returncode == 0, up.stderr
        uri = f"qemu:///system?socket={state}/trixie/libvirt-sock"
        assert up.stdout.startswith("trixie: libvirt 11.")
        assert f"uri:       {uri}" in up.stdout
        connection = libvirt.open(uri)
        assert connection.getLibVersion() // 1_000_000 == 11
        connection.close()

        again = cli(state, "up", "--target", "trixie")
        assert "[already up]" in again.stdout

        [daemon] = json.loads(cli(state, "status", "--json").stdout)["daemons"]
        assert (daemon["target"], daemon["alive"], daemon["uri"]) == ("trixie", True, uri)
        assert container_exists(daemon["container"])

        virsh = cli(state, "shell", "--target", "trixie", "--", "virsh", "list", "--all")
        assert virsh.returncode == 0, virsh.stderr
        assert virsh.stdout.split()[:3] == ["Id", "Name", "State"]
        assert cli(state, "shell", "sh", "-c", "exit 3").returncode == 3
    finally:
        down = cli(state, "down")
    assert down.stdout.strip() == "trixie: down"
    assert not container_exists(daemon["container"])
    assert not (state / "trixie").exists()
    assert json.loads((state / "daemons.json").read_text())["daemons"] == {}
    shell = cli(state, "shell")
    assert shell.returncode == 1
    assert "no bullseye daemon is up; start one with" in shell.stderr


@pytest.mark.libvirt
def test_status_reports_a_dead_daemon_and_down_cleans_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    try:
        assert cli(state, "up", "--target", "trixie").returncode == 0
        [daemon] = json.loads(cli(state, "status", "--json").stdout)["daemons"]
        run_podman("rm", "--force", "--time", "0", daemon["container"])
        status = cli(state, "status")
        assert "[DEAD: run `down` to clean up]" in status.stdout
        shell = cli(state, "shell", "true")
        assert shell.returncode == 1
        assert "is no longer running" in shell.stderr
    finally:
        down = cli(state, "down")
    assert down.stdout.strip() == "trixie: down"
    assert not (state / "trixie").exists()
