"""``relnotes serve``: a live preview on loopback that rebuilds after an edit or a new ledger and
stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from relnotes.cli import main
from relnotes.core.ledger import write_ledger
from relnotes.core.settings import load_settings

from tests.ledgers import passing_ledger
from tests.spawning import Spawned

pytest.importorskip("sphinx_autobuild", reason="relnotes serve needs the 'serve' extra")

START_TIMEOUT = 120.0  # the first build of the site included
REBUILD_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout} s; the server said:\n{log.read_text()[-3000:]}")


@pytest.mark.parametrize("interrupt", ["terminal", "relnotes-only"])
def test_serve_shows_the_site_rebuilds_after_an_edit_and_stops_cleanly(
        tmp_path: Path, interrupt: str, spawn: Spawned) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = spawn(
            [sys.executable, "-m", "relnotes.cli", "--site", str(site), "serve", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    # spawn removes the server's session however the test ends.
    wait_for(lambda: "mysite" in (fetch(f"{base}/index.html") or ""), START_TIMEOUT,
             "the index was not served", log)
    tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    listening = [c.laddr for p in tree for c in p.net_connections("inet")
                 if c.status == psutil.CONN_LISTEN]
    assert listening and {address.ip for address in listening} == {"127.0.0.1"}

    page = site / "source" / "issues" / "example-nic-model.md"
    page.write_text(page.read_text() + "\nA sentence added while serving: quokka.\n")
    wait_for(lambda: "quokka" in (fetch(f"{base}/issues/example-nic-model.html") or ""),
             REBUILD_TIMEOUT, "the edited page was not rebuilt", log)
    # A verify run's new ledger: the page's lines of status follow it without an edit of the
    # page (its badges are in the evidence, on the evidence page).
    verified = 'class="rn-summary rn-summary-verified"'
    assert verified not in (fetch(f"{base}/issues/example-nic-model.html") or "")
    write_ledger(passing_ledger(site), load_settings(site).ledger)
    wait_for(lambda: verified in (fetch(f"{base}/issues/example-nic-model.html") or ""),
             REBUILD_TIMEOUT, "the page was not rebuilt after the ledger changed", log)

    if interrupt == "terminal":
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
    else:
        server.send_signal(signal.SIGINT)  # relnotes passes it on to the server it started
    assert server.wait(timeout=STOP_TIMEOUT) == 130
    _, alive = psutil.wait_procs(tree, timeout=STOP_TIMEOUT)  # a build it ran, too
    assert alive == []
    assert fetch(f"{base}/index.html") is None


def test_serve_without_a_pages_folder_is_bad_input(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "conf.py").write_text("")
    assert main(["--site", str(tmp_path), "serve", "--port", str(free_port())]) == 2
    assert "no such folder" in capsys.readouterr().err
