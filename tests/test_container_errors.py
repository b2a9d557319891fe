"""Errors a writer meets first: missing host tools, unknown targets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.engine.container import ContainerError, PodmanMissingError, running_daemon
from relnotes.engine.container.errors import INSTALL_HINT
from relnotes.engine.container.images import ensure_image
from relnotes.engine.container.targets import TARGETS, parse_target_list

EXT = Path(__file__).resolve().parents[1] / "_ext"


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_install_hint_is_the_documented_command() -> None:
    assert INSTALL_HINT == "apt-get install podman runc catatonit debootstrap"


def test_running_daemon_without_podman_names_the_install_command(empty_path: Path) -> None:
    with pytest.raises(PodmanMissingError) as caught, running_daemon("bookworm"):
        pytest.fail("no daemon can start without podman")
    assert caught.value.missing == ["podman", "runc", "catatonit"]
    assert INSTALL_HINT in str(caught.value)


def test_image_build_without_podman_names_the_install_command(empty_path: Path) -> None:
    with pytest.raises(PodmanMissingError, match="apt-get install podman runc catatonit debootstrap"):
        ensure_image(TARGETS["trixie"])


def test_cli_without_podman_exits_with_the_install_command(empty_path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "relnotes.cli", "container", "status"],
        capture_output=True,
        text=True,
        # Its own state folder: daemons that other runs on this machine left up are not its own.
        env={**os.environ, "PYTHONPATH": str(EXT), "RELNOTES_STATE_DIR": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: podman, runc, catatonit not found on PATH")
    assert INSTALL_HINT in result.stderr


def test_unknown_target_lists_the_known_ones() -> None:
    known = "bullseye, bookworm, trixie, trixie-backports"
    with pytest.raises(ContainerError, match=f"unknown libvirt target 'sid'; known targets: {known}"):
        parse_target_list("trixie,sid")
    with pytest.raises(ContainerError, match="no libvirt target"):
        parse_target_list(" , ")
    assert [t.name for t in parse_target_list("trixie, bookworm,trixie")] == ["trixie", "bookworm"]
