"""Shared fixtures: the sphinx.testing roots, and the containerised libvirt daemon."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.spawning import Spawned

# Property tests: at least 200 generated examples per property in CI (CI=true), fewer while
# developing; no deadline (a shared CI machine's pauses are not failures).
settings.register_profile("ci", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") == "true" else "dev"))

# Sphinx colours its output whenever CI=true, and the tests read the words of the builds
# they start: the same plain text on a terminal, in a pipe and in CI.
os.environ["NO_COLOR"] = "1"

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
