"""pytest fixtures for tests that need a real libvirt daemon.

Register with ``pytest_plugins = ["relnotes.verify.container.pytest_plugin"]`` in the
root conftest.py (or ``-p relnotes.verify.container.pytest_plugin``). A test that uses
``libvirt_daemon`` or ``libvirt_conn`` runs once per target chosen with
``--libvirt-target`` (default: every target) and is marked ``libvirt`` automatically, so
``-m "not libvirt"`` skips them on hosts without podman.
"""

from __future__ import annotations

from collections.abc import Iterator

import libvirt
import pytest

from .daemon import DEFAULT_TIMEOUT, RunningDaemon, running_daemon
from .errors import ContainerError
from .targets import TARGETS, parse_target_list

_FIXTURE = "libvirt_daemon"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("relnotes-libvirt", "containerised libvirt daemons")
    group.addoption(
        "--libvirt-target",
        default=",".join(TARGETS),
        help="comma-separated targets to run libvirt tests against (default: %(default)s)",
    )
    group.addoption(
        "--libvirt-accel",
        choices=("auto", "kvm", "tcg"),
        default="auto",
        help="force TCG, require KVM, or use KVM when usable (default: %(default)s)",
    )
    group.addoption(
        "--libvirt-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds for a daemon to become healthy (default: %(default)s)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libvirt: needs the containerised libvirt daemon")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _FIXTURE not in metafunc.fixturenames:
        return
    try:
        targets = parse_target_list(metafunc.config.getoption("libvirt_target"))
    except ContainerError as error:
        raise pytest.UsageError(f"--libvirt-target: {error}") from None
    names = [target.name for target in targets]
    # Session scope: one daemon per target for the whole run, shared by every test.
    metafunc.parametrize(_FIXTURE, names, indirect=True, scope="session", ids=names)


@pytest.hookimpl(tryfirst=True)  # mark before `-m` deselects, which is also this hook
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libvirt)


@pytest.fixture(scope="session")
def libvirt_daemon(request: pytest.FixtureRequest) -> Iterator[RunningDaemon]:
    """A healthy daemon for one target; removed, with its guests, at the end of the run."""
    config = request.config
    with running_daemon(
        request.param,
        timeout=config.getoption("libvirt_timeout"),
        accelerator=config.getoption("libvirt_accel"),
    ) as daemon:
        yield daemon


@pytest.fixture
def libvirt_conn(libvirt_daemon: RunningDaemon) -> Iterator[libvirt.virConnect]:
    """A connection for one test; guests the test leaves behind are destroyed and undefined.

    The daemon is checked first, so a daemon that died in an earlier test fails this one
    with DaemonLostError rather than an obscure libvirt error.
    """
    connection = libvirt_daemon.connect()
    before = {domain.UUIDString() for domain in connection.listAllDomains()}
    try:
        yield connection
    finally:
        libvirt_daemon.ensure_alive()
        for domain in connection.listAllDomains():
            if domain.UUIDString() in before:
                continue
            persistent = domain.isPersistent()  # a transient domain vanishes on destroy
            if domain.isActive():
                domain.destroy()
            if persistent:
                domain.undefineFlags(_UNDEFINE_EVERYTHING)
        connection.close()


# Snapshots, managed save images and NVRAM would otherwise block undefine().
_UNDEFINE_EVERYTHING = (
    libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
    | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
    | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM
)
