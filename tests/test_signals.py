"""Ctrl-C works whatever SIGINT disposition the machine's shell hands down.

A shell without job control (CI, a script's ``cmd &``) starts its children with SIGINT
ignored, and Python keeps it so. A process that must answer Ctrl-C restores the default itself:
the ``relnotes`` command does at its entry, and the tests' own children do too; the tests
that start processes pass from such a shell.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from relnotes.cli import main

from tests.spawning import Spawned

ROOT = Path(__file__).resolve().parents[1]
#: The environment of a child with no proxy (it talks to 127.0.0.1 only).
NO_PROXY = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


def ignoring_sigint() -> None:
    """As a non-interactive shell starts a background job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class SilentServer:
    """A server on 127.0.0.1 that accepts connections and never answers."""

    def __init__(self, listening: socket.socket) -> None:
        self.listening = listening
        self.connections: list[socket.socket] = []

    def fetch(self, site: Path) -> list[str]:
        """``relnotes import`` arguments that fetch from this server into ``site``."""
        port = self.listening.getsockname()[1]
        return ["import", "bugzilla", f"http://127.0.0.1:{port}/", "--timeout", "600",
                "--into", str(site)]

    def wait_for_a_request(self) -> None:
        connection, _ = self.listening.accept()
        self.connections.append(connection)  # kept open: the client waits for an answer


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        listening.settimeout(60)
        server = SilentServer(listening)
        yield server
        for connection in server.connections:
            connection.close()


def stuck_in_a_request(spawn: Spawned, server: SilentServer, argv: list[str]) -> subprocess.Popen[str]:
    """Start ``argv`` (a fetch from the silent server) with SIGINT ignored; return it once it
    waits for the answer."""
    process = spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    env=NO_PROXY, preexec_fn=ignoring_sigint)
    server.wait_for_a_request()
    return process


@pytest.mark.hostile
def test_relnotes_answers_ctrl_c_though_it_was_started_with_sigint_ignored(
        tmp_path: Path, spawn: Spawned, silent_server: SilentServer) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    process = stuck_in_a_request(
        spawn, silent_server, [sys.executable, "-m", "relnotes.cli", *silent_server.fetch(site)])
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.splitlines()[-1] == "interrupted"


@pytest.mark.hostile
def test_a_python_process_started_so_ignores_ctrl_c(
        tmp_path: Path, spawn: Spawned, silent_server: SilentServer) -> None:
    # The situation the test above is about: without the reset, Ctrl-C does nothing.
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    code = ("import sys\nfrom relnotes.importing.cli import main\n"
            f"sys.exit(main({silent_server.fetch(site)!r}[1:]))")
    process = stuck_in_a_request(spawn, silent_server, [sys.executable, "-c", code])
    process.send_signal(signal.SIGINT)
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=3)


def pytest_from_a_shell_ignoring_sigint(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
               *args]
    return subprocess.run(["bash", "-c", 'trap "" INT; exec "$@"', "bash", *command], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)


def test_the_serve_tests_pass_from_a_shell_that_ignores_sigint() -> None:
    pytest.importorskip("sphinx_autobuild", reason="relnotes serve needs the 'serve' extra")
    done = pytest_from_a_shell_ignoring_sigint("tests/test_cli_serve.py")
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.libvirt
def test_the_teardown_tests_pass_from_a_shell_that_ignores_sigint() -> None:
    done = pytest_from_a_shell_ignoring_sigint(
        "tests/test_container_teardown.py", "-k", "sigint or starting")
    assert done.returncode == 0, done.stdout[-3000:]
