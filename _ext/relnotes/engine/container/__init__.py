"""Container harness: real libvirt daemons in podman, per Debian target (Sphinx-free).

The names below are re-exported lazily: importing this package (as pytest does when it loads
the harness's plugin, or ``relnotes`` for ``--help``) loads neither libvirt's binding, an
optional extra, nor lxml. Each name is imported from its module on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relnotes.core.environment import Environment

    from .daemon import RunningDaemon, running_daemon, start_daemon
    from .errors import (
        ContainerError,
        DaemonLostError,
        DaemonUnhealthyError,
        ExecTimeoutError,
        ImageBuildError,
        PodmanMissingError,
    )
    from .guest import adapt_to_accelerator, minimal_domain_xml
    from .images import ensure_image
    from .targets import TARGETS, Target, get_target

#: Where each re-exported name lives (relative to this package, or absolute).
_HOMES = {
    "Environment": "relnotes.core.environment",
    "RunningDaemon": ".daemon",
    "running_daemon": ".daemon",
    "start_daemon": ".daemon",
    "ContainerError": ".errors",
    "DaemonLostError": ".errors",
    "DaemonUnhealthyError": ".errors",
    "ExecTimeoutError": ".errors",
    "ImageBuildError": ".errors",
    "PodmanMissingError": ".errors",
    "adapt_to_accelerator": ".guest",
    "minimal_domain_xml": ".guest",
    "ensure_image": ".images",
    "TARGETS": ".targets",
    "Target": ".targets",
    "get_target": ".targets",
}

__all__ = [
    "TARGETS",
    "ContainerError",
    "DaemonLostError",
    "DaemonUnhealthyError",
    "Environment",
    "ExecTimeoutError",
    "ImageBuildError",
    "PodmanMissingError",
    "RunningDaemon",
    "Target",
    "adapt_to_accelerator",
    "ensure_image",
    "get_target",
    "minimal_domain_xml",
    "running_daemon",
    "start_daemon",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value  # the next lookup finds it without coming here
    return value
