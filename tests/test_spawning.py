"""The spawn fixture removes what a test started, however the test ends."""

from __future__ import annotations

import subprocess
import sys

import psutil

from tests.spawning import Spawned


def test_a_process_left_running_is_killed_and_named() -> None:
    spawned = Spawned()
    process = spawned([sys.executable, "-c", "import time; time.sleep(600)"])
    assert spawned.clean_up() == [f"process {process.pid}"]
    assert process.poll() is not None


def test_a_process_with_a_session_of_its_own_goes_with_its_children() -> None:
    spawned = Spawned()
    process = spawned(["bash", "-c", "sleep 600 & echo $!; wait"], stdout=subprocess.PIPE,
                      text=True, start_new_session=True)
    assert process.stdout is not None
    child = psutil.Process(int(process.stdout.readline()))
    spawned.clean_up()
    _, alive = psutil.wait_procs([child], timeout=10)
    assert alive == []


def test_a_process_that_ended_needs_no_cleanup() -> None:
    spawned = Spawned()
    process = spawned([sys.executable, "-c", "pass"])
    process.wait()
    assert spawned.clean_up() == []
