"""Errors the container harness raises, each saying what to do next."""

from __future__ import annotations

INSTALL_HINT = "apt-get install podman runc catatonit debootstrap"


class ContainerError(Exception):
    """Base class: anything the harness could not do."""


class PodmanMissingError(ContainerError):
    """A host tool the harness shells out to is not installed."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"{', '.join(missing)} not found on PATH; the libvirt container harness needs "
            f"them. Install with: {INSTALL_HINT}"
        )


class PodmanError(ContainerError):
    """A podman command failed; carries the tail of its output."""

    def __init__(self, argv: list[str], returncode: int, output: str) -> None:
        self.argv = argv
        self.returncode = returncode
        self.output = output
        super().__init__(f"`{' '.join(argv)}` exited with {returncode}:\n{_tail(output, 30)}")


class ImageBuildError(ContainerError):
    """Bootstrapping a base image or building a target image failed."""

    def __init__(self, what: str, output: str) -> None:
        self.output = output
        super().__init__(f"{what} failed; last lines of its output:\n{_tail(output, 40)}")


class DaemonUnhealthyError(ContainerError):
    """The daemon did not answer on its socket in time (or exited while starting)."""

    def __init__(self, message: str, log: str) -> None:
        self.log = log
        super().__init__(f"{message}\n--- daemon log tail ---\n{log or '(empty)'}")


class DaemonLostError(ContainerError):
    """The daemon's container is gone or stopped: nothing it reports can be trusted."""

    def __init__(self, container: str, log: str) -> None:
        self.container = container
        self.log = log
        super().__init__(
            f"libvirt daemon container {container} is no longer running"
            f"\n--- daemon log tail ---\n{log or '(unavailable)'}"
        )


class SocketCheckError(ContainerError):
    """The daemon's socket is not the one the harness started: replaced, a link, or not ours.

    Something inside the container (a published step runs as its root) may have put it there,
    to point the host at another daemon; the host refuses to connect.
    """


class ExecTimeoutError(ContainerError, TimeoutError):
    """A command run inside the container exceeded its timeout and was killed there."""

    def __init__(self, argv: list[str], timeout: float, stdout: bytes, stderr: bytes) -> None:
        self.argv = argv
        self.timeout = timeout
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"{argv!r} did not finish within {timeout:g} s inside the container")


class StateFileError(ContainerError):
    """The CLI's state file exists but cannot be understood."""


def _tail(text: str, lines: int) -> str:
    """Return the last *lines* lines of *text*."""
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])
