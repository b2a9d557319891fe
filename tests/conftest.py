"""Shared fixtures: the sphinx.testing roots, and the containerised libvirt daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.spawning import Spawned

ROOTS = Path(__file__).parent / "roots"

# The libvirt_daemon / libvirt_conn fixtures and the --libvirt-target option come from the
# installed package's pytest plugin (entry point ``relnotes-libvirt``).


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture
def spawn() -> Iterator[Spawned]:
    """Start processes with ``spawn(argv, **popen_options)``; they are cleaned up after the
    test, passed or failed (a failed test's left-overs are named in its report)."""
    spawned = Spawned()
    try:
        yield spawned
    finally:
        left = spawned.clean_up()
        if left:
            print(f"cleaned up after the test: {', '.join(left)}")
