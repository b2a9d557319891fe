"""Shared fixtures: the sphinx.testing roots, and the containerised libvirt daemon."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOTS = Path(__file__).parent / "roots"

# The libvirt_daemon / libvirt_conn fixtures and the --libvirt-target option come from the
# installed package's pytest plugin (entry point ``relnotes-libvirt``).


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS
