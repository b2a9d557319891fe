"""The podman command line, as the harness calls it on this kind of host."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

from .errors import PodmanError, PodmanMissingError

# Debian's crun refuses the cgroup layout of hosts like ours; runc works everywhere we run.
RUNTIME = "runc"

# The OCI runtime would otherwise try to raise the container's rlimits to podman's
# defaults, which unprivileged-limit hosts refuse ("error setting rlimit ... not permitted").
ULIMITS: tuple[str, ...] = ("--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768")

_REQUIRED_TOOLS = ("podman", "runc", "catatonit")


def require_tools(extra: Sequence[str] = ()) -> str:
    """Return podman's path, or raise PodmanMissingError naming every missing tool."""
    missing = [tool for tool in (*_REQUIRED_TOOLS, *extra) if shutil.which(tool) is None]
    if missing:
        raise PodmanMissingError(missing)
    podman = shutil.which("podman")
    assert podman is not None
    return podman


def podman_argv(*args: str) -> list[str]:
    """The full argv for a podman subcommand, runtime chosen explicitly."""
    return [require_tools(), "--runtime", RUNTIME, *args]


def run_podman(
    *args: str,
    check: bool = True,
    timeout: float | None = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run podman with text output captured; raise PodmanError (with its output) on failure."""
    argv = podman_argv(*args)
    result = subprocess.run(
        argv,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise PodmanError(argv[1:], result.returncode, result.stdout + result.stderr)
    return result
