"""The pytest plugin, exercised in a separate pytest run as a project would use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.engine.container.podman import run_podman

EXT = Path(__file__).resolve().parents[1] / "_ext"

TESTS = """
import json
from pathlib import Path

import pytest

from relnotes.engine.container import minimal_domain_xml


def test_a_leaves_a_guest_running(libvirt_daemon, libvirt_conn):
    domain_type = libvirt_daemon.domain_type
    libvirt_conn.createXML(minimal_domain_xml("transient-running", domain_type), 0)
    libvirt_conn.defineXML(minimal_domain_xml("persistent-running", domain_type)).create()
    libvirt_conn.defineXML(minimal_domain_xml("persistent-off", domain_type))
    assert len(libvirt_conn.listAllDomains()) == 3
    Path("seen.txt").write_text(libvirt_daemon.container)


def test_b_starts_clean_on_the_same_daemon(libvirt_daemon, libvirt_conn):
    assert libvirt_conn.listAllDomains() == []
    assert Path("seen.txt").read_text() == libvirt_daemon.container


def test_without_the_daemon():
    pass
"""


def run_pytest(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (directory / "test_uses_plugin.py").write_text(TESTS)
    (directory / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        # No -p: the installed package registers the plugin (entry point relnotes-libvirt).
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(EXT)},
        check=False,
        timeout=600,
    )  # fmt: skip


def collected(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_every_target_by_default(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "--collect-only")
    assert collected(result) == [
        f"test_uses_plugin.py::{test}[{target}]"
        for target in ("bullseye", "bookworm", "trixie", "trixie-backports")
        for test in ("test_a_leaves_a_guest_running", "test_b_starts_clean_on_the_same_daemon")
    ] + ["test_uses_plugin.py::test_without_the_daemon"]


def test_target_option_and_automatic_marker(tmp_path: Path) -> None:
    only = run_pytest(tmp_path, "--collect-only", "--libvirt-target=trixie")
    assert [line for line in collected(only) if "[" in line] == [
        "test_uses_plugin.py::test_a_leaves_a_guest_running[trixie]",
        "test_uses_plugin.py::test_b_starts_clean_on_the_same_daemon[trixie]",
    ]
    unmarked = run_pytest(tmp_path, "--collect-only", "-m", "not libvirt")
    assert collected(unmarked) == ["test_uses_plugin.py::test_without_the_daemon"]


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "--collect-only", "--libvirt-target=trixie,sid")
    assert result.returncode != 0
    assert "--libvirt-target: unknown libvirt target 'sid'" in result.stdout + result.stderr


@pytest.mark.libvirt
def test_session_daemon_is_shared_and_guests_are_cleaned_between_tests(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "--libvirt-target=trixie", "-p", "no:randomly")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    container = (tmp_path / "seen.txt").read_text()
    assert run_podman("container", "exists", container, check=False).returncode == 1
