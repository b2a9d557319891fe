"""Container harness: real libvirt daemons in podman, per Debian target (Sphinx-free)."""

from __future__ import annotations

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
