"""pytest fixtures for tests that need a real libvirt daemon.

Register with ``pytest_plugins = ["relnotes.engine.container.pytest_plugin"]`` in the
root conftest.py (or ``-p relnotes.engine.container.pytest_plugin``). A test that uses
``libvirt_daemon`` or ``libvirt_conn`` runs once per target chosen with
``--libvirt-target`` (default: every target) and is marked ``libvirt`` automatically, so
``-m "not libvirt"`` skips them on hosts without podman.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from relnotes.core.environment import ACCELERATOR_CHOICES
from relnotes.core.settings import Settings, SettingsError, load_settings

from .errors import ContainerError
from .targets import TARGETS, parse_target_list

# pytest loads this plugin in every run of an environment where relnotes is installed, so
# libvirt (an extra) is imported only by the fixtures that need it.
if TYPE_CHECKING:
    import libvirt

    from .daemon import RunningDaemon

_FIXTURE = "libvirt_daemon"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("relnotes-libvirt", "containerised libvirt daemons")
    group.addoption(
        "--libvirt-target",
        default=None,
        help=f"comma-separated, from {', '.join(TARGETS)} (default: the targets of the "
             "relnotes.toml in the rootdir, else bookworm,trixie)",
    )
    group.addoption(
        "--libvirt-accel",
        choices=ACCELERATOR_CHOICES,
        default=None,
        help="force TCG, require KVM, or use KVM when usable (default: relnotes.toml's)",
    )
    group.addoption(
        "--libvirt-timeout",
        type=float,
        default=None,
        help="seconds for a daemon to become healthy (default: the harness's)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "libvirt: needs the containerised libvirt daemon")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if _FIXTURE not in metafunc.fixturenames:
        return
    try:
        chosen = metafunc.config.getoption("libvirt_target")
        targets = parse_target_list(chosen or ",".join(_settings(metafunc.config).targets))
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
    from .daemon import DEFAULT_TIMEOUT, running_daemon

    config = request.config
    with running_daemon(
        request.param,
        timeout=config.getoption("libvirt_timeout") or DEFAULT_TIMEOUT,
        accelerator=config.getoption("libvirt_accel") or _settings(config).accelerator,
    ) as daemon:
        yield daemon


@pytest.fixture
def libvirt_conn(libvirt_daemon: RunningDaemon) -> Iterator[libvirt.virConnect]:
    """A connection for one test; guests the test leaves behind are destroyed and undefined.

    The daemon is checked first, so a daemon that died in an earlier test fails this one
    with DaemonLostError rather than an obscure libvirt error.
    """
    import libvirt

    # Snapshots, managed save images and NVRAM would otherwise block undefine().
    undefine_everything = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                           | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                           | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
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
                domain.undefineFlags(undefine_everything)
        connection.close()


def _settings(config: pytest.Config) -> Settings:
    """The rootdir's relnotes.toml: the same targets and accelerator the site verifies on."""
    try:
        return load_settings(config.rootpath)
    except SettingsError as error:
        raise pytest.UsageError(str(error)) from None
