"""The containerised libvirt daemon: start it, wait until it answers, run things in it, stop it."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libvirt
from lxml import etree

from relnotes.core.environment import Accelerator, AcceleratorChoice, Environment, version_string

from .errors import (
    ContainerError,
    DaemonLostError,
    DaemonUnhealthyError,
    ExecTimeoutError,
    SocketCheckError,
)
from .images import ensure_image
from .podman import ULIMITS, podman_argv, require_tools, run_podman
from .reaper import (
    OWNER_LABEL,
    SOCKET_DIR_LABEL,
    TARGET_LABEL,
    current_owner,
    reap_orphans,
    remove_container,
    remove_tree,
    socket_dir_prefix,
)
from .seccomp import profile_path
from .targets import Target, get_target

KVM_DEVICE = "/dev/kvm"
SOCKET_MOUNT = "/run/libvirt"
DEFAULT_TIMEOUT = 60.0

# Measured, not guessed: with `--cap-drop all` these are the capabilities without which
# libvirtd cannot start (CHOWN, DAC_OVERRIDE), QEMU cannot be probed or launched (SETUID,
# SETGID, and SETPCAP for dropping its capability bounding set). FOWNER and KILL, in
# podman's default set, turned out unnecessary.
CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "SETUID", "SETGID", "SETPCAP")

# The group of the unprivileged users published steps run as (see relnotes.engine.privilege):
# the only group, besides root, that may use the read-write socket. Far above the ids a host
# hands out (useradd, subordinate id ranges), so on the host no one is in it.
STEPS_GID = 3_000_000

# Every `exec` gets a unique token in its environment, which its children inherit; on
# timeout this script kills every process carrying it (repeating while it still finds
# some, so a process forking meanwhile is caught too). Processes that setsid() or
# daemonize cannot escape it, unlike a process-group kill.
_EXEC_TOKEN_VARIABLE = "RELNOTES_EXEC_TOKEN"
_KILL_SCRIPT = """
needle="RELNOTES_EXEC_TOKEN=$0"
for round in 1 2 3 4 5; do
  found=
  for environ in /proc/[0-9]*/environ; do
    grep -qxzF "$needle" "$environ" 2>/dev/null || continue
    pid=${environ#/proc/}
    kill -s KILL "${pid%/environ}" 2>/dev/null && found=1
  done
  [ -n "$found" ] || break
done
"""


@dataclass(frozen=True)
class RunningDaemon:
    """A libvirtd answering on ``uri``; commands given to ``exec`` run only inside it."""

    target: Target
    container: str
    socket_dir: Path
    environment: Environment
    # (st_dev, st_ino) of the socket the daemon answered on when it became healthy: anything
    # later found at that path is someone else's (see checked_uri)
    socket_identity: tuple[int, int] | None = None
    # what libvirtd had made in the socket dir (shared with the host) when it became healthy
    socket_dir_entries: frozenset[str] = frozenset()

    @property
    def socket_path(self) -> Path:
        return self.socket_dir / "libvirt-sock"

    @contextmanager
    def checked_uri(self) -> Iterator[str]:
        """A URI for the socket as checked now, valid inside the ``with`` block.

        The socket dir is shared with the container, whose root (and so a published step) can
        replace the socket, e.g. by a link to the host's own libvirtd. So the socket is opened
        without following links and checked (a socket, owned by this user, the very one the
        daemon answered on at start); the URI names that open descriptor, so nothing can swap
        the file between the check and the connection.
        """
        try:
            fd = os.open(self.socket_path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            raise SocketCheckError(f"{self.socket_path}: cannot open the daemon's socket: "
                                   f"{error.strerror}") from None
        try:
            problem = self._socket_problem(os.fstat(fd))
            if problem:
                raise SocketCheckError(f"{self.socket_path} {problem}; refusing to connect")
            yield f"qemu:///system?socket=/proc/self/fd/{fd}"
        finally:
            os.close(fd)

    def _socket_problem(self, info: os.stat_result) -> str:
        if stat.S_ISLNK(info.st_mode):
            return "is a symbolic link"
        if not stat.S_ISSOCK(info.st_mode):
            return "is not a socket"
        if info.st_uid != os.geteuid():
            return f"is owned by uid {info.st_uid}, not {os.geteuid()}"
        if self.socket_identity and (info.st_dev, info.st_ino) != self.socket_identity:
            return "is not the socket the daemon was started with (it was replaced)"
        return ""

    def sandbox_problem(self) -> str | None:
        """What a command in the container changed that the host can see, if anything: the
        socket (replaced, or made a link), or new files in the socket dir, the one host
        directory the container can write."""
        try:
            problem = self._socket_problem(os.lstat(self.socket_path))
        except OSError as error:
            problem = f"cannot be found ({error.strerror})"
        if problem:
            return f"the daemon's socket {problem}"
        if self.socket_dir_entries:
            try:
                added = sorted(set(os.listdir(self.socket_dir)) - self.socket_dir_entries)
            except OSError as error:
                return f"the socket dir cannot be listed ({error.strerror})"
            if added:
                return f"new files in the socket dir shared with the host: {', '.join(added)}"
        return None

    @property
    def uri(self) -> str:
        return f"qemu:///system?socket={self.socket_path}"

    @property
    def domain_type(self) -> str:
        """``kvm``, or ``qemu`` when guests run under TCG."""
        return self.environment.domain_type

    def is_alive(self) -> bool:
        result = run_podman("inspect", "--format", "{{.State.Running}}", self.container, check=False)
        return result.returncode == 0 and result.stdout.strip() == "true" and _is_socket(self.socket_path)

    def ensure_alive(self) -> None:
        """Raise DaemonLostError (with the log tail) unless the daemon is still running."""
        if not self.is_alive():
            raise DaemonLostError(self.container, _read_log(self.container, 50) or "")

    def log_tail(self, lines: int = 50) -> str:
        """The daemon's last *lines* log lines; still readable after it died, until stop()."""
        text = _read_log(self.container, lines)
        if text is None:
            raise DaemonLostError(self.container, "")
        return text

    def connect(self) -> libvirt.virConnect:
        """A new connection to the daemon, through its checked socket; the caller closes it."""
        with self.checked_uri() as uri:  # first: a replaced socket is not a lost daemon
            self.ensure_alive()
            return libvirt.open(uri)

    def exec(
        self,
        argv: list[str],
        *,
        input: bytes | None = None,
        timeout: float,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run *argv* inside the container (``podman exec``), *env* added to its environment.

        On timeout every process the command started is SIGKILLed inside the container
        and ExecTimeoutError is raised with the output captured so far. A non-zero exit
        from a daemon that has died raises DaemonLostError instead of returning.
        """
        token = secrets.token_hex(16)
        options = ["--env", f"{_EXEC_TOKEN_VARIABLE}={token}"]
        for name, value in (env or {}).items():
            options += ["--env", f"{name}={value}"]
        if input is not None:
            options.append("--interactive")
        process = subprocess.Popen(
            podman_argv("exec", *options, self.container, *argv),
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Out of the terminal's process group: Ctrl-C reaches us, and we decide.
            start_new_session=True,
        )
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            self._kill_exec(token, process)
            stdout, stderr = process.communicate()
            raise ExecTimeoutError(argv, timeout, stdout, stderr) from None
        except BaseException:
            self._kill_exec(token, process)
            raise
        if process.returncode != 0:
            self.ensure_alive()
        return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)

    def write_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Create or replace *path* inside the container (parents created) with *data*."""
        script = 'mkdir -p "$(dirname "$0")" && cat > "$0" && chmod "$1" "$0"'
        result = self.exec(["sh", "-c", script, path, f"{mode:o}"], input=data, timeout=60)
        if result.returncode != 0:
            raise ContainerError(
                f"writing {path} inside {self.container} failed: "
                f"{result.stderr.decode(errors='replace').strip()}"
            )

    def stop(self) -> None:
        """Remove the container (its QEMU processes die with it) and the socket dir."""
        remove_container(self.container)
        remove_tree(self.socket_dir)

    def _kill_exec(self, token: str, process: subprocess.Popen[bytes]) -> None:
        run_podman("exec", self.container, "sh", "-c", _KILL_SCRIPT, token, check=False)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.name,
            "container": self.container,
            "socket_dir": str(self.socket_dir),
            "environment": self.environment.to_dict(),
            "socket_identity": list(self.socket_identity) if self.socket_identity else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunningDaemon:
        return cls(
            target=get_target(str(data["target"])),
            container=str(data["container"]),
            socket_dir=Path(str(data["socket_dir"])),
            environment=Environment.from_dict(data["environment"], reported=True),
            socket_identity=_identity(data.get("socket_identity")),
        )


@contextmanager
def running_daemon(
    target: str | Target,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    accelerator: AcceleratorChoice = "auto",
) -> Iterator[RunningDaemon]:
    """Start a daemon for *target*, yield it once healthy, and remove every trace on exit.

    Leftovers of earlier runs that were killed outright are reaped first.
    """
    if isinstance(target, str):
        target = get_target(target)
    require_tools()
    reap_orphans()
    owner = current_owner()
    socket_dir = Path(tempfile.mkdtemp(prefix=socket_dir_prefix(owner)))
    try:
        daemon = start_daemon(
            target, socket_dir=socket_dir, owner=str(owner), timeout=timeout,
            accelerator=accelerator,
        )  # fmt: skip
        try:
            yield daemon
        finally:
            daemon.stop()
    finally:
        remove_tree(socket_dir)


def start_daemon(
    target: Target,
    *,
    socket_dir: Path,
    owner: str,
    timeout: float = DEFAULT_TIMEOUT,
    accelerator: AcceleratorChoice = "auto",
    rebuild: bool = False,
) -> RunningDaemon:
    """Start a daemon container owned by *owner*; the caller stops it.

    ``running_daemon`` is the usual entry point; this is for owners that outlive the
    call, such as the CLI's ``up``.
    """
    image = ensure_image(target, rebuild=rebuild)
    accel = choose_accelerator(accelerator)
    container = f"relnotes-libvirt-{target.name}-{os.getpid()}-{secrets.token_hex(3)}"
    options = [
        "--detach",
        "--init",  # reaps QEMU's probe processes; libvirtd hangs on zombies otherwise
        "--name", container,
        "--network", "none",
        *ULIMITS,
        "--cap-drop", "all",
        "--cap-add", ",".join(CAPABILITIES),
        "--security-opt", "no-new-privileges",
        # No new namespaces for anything in the container (relnotes.engine.container.seccomp).
        "--security-opt", f"seccomp={profile_path()}",
        "--label", f"{OWNER_LABEL}={owner}",
        "--label", f"{SOCKET_DIR_LABEL}={socket_dir}",
        "--label", f"{TARGET_LABEL}={target.name}",
        "--volume", f"{socket_dir}:{SOCKET_MOUNT}",
    ]  # fmt: skip
    if accel == "kvm":
        options += ["--device", KVM_DEVICE]
    # Others may pass through the directory (the steps' users must reach the socket) but not
    # list it or create anything in it; the socket itself is for root and STEPS_GID only.
    os.chmod(socket_dir, 0o711)
    try:
        run_podman("run", *options, image.tag)
        environment = _wait_until_healthy(
            target, container, socket_dir / "libvirt-sock", accel, image.id, timeout
        )
        os.chown(socket_dir / "libvirt-sock", -1, STEPS_GID, follow_symlinks=False)
        os.chmod(socket_dir / "libvirt-sock", 0o770)  # no step has run yet: nothing to swap it
        socket = os.lstat(socket_dir / "libvirt-sock")  # the one that just answered
        entries = frozenset(os.listdir(socket_dir))
    except BaseException:
        remove_container(container)  # also covers a Ctrl-C halfway through `podman run`
        raise
    return RunningDaemon(target, container, socket_dir, environment,
                         (socket.st_dev, socket.st_ino), entries)


def _is_socket(path: Path) -> bool:
    """A socket at ``path`` itself: the host never follows a link in the shared dir."""
    try:
        return stat.S_ISSOCK(os.lstat(path).st_mode)
    except OSError:
        return False


def _identity(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value[0], value[1]
    return None


def choose_accelerator(requested: AcceleratorChoice) -> Accelerator:
    if requested == "tcg":
        return "tcg"
    usable = kvm_usable()
    if requested == "kvm" and not usable:
        raise ContainerError(f"KVM was requested but {KVM_DEVICE} cannot be opened read-write")
    return "kvm" if usable else "tcg"


def kvm_usable() -> bool:
    """Whether this process can open /dev/kvm read-write (existing is not enough)."""
    try:
        fd = os.open(KVM_DEVICE, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def _wait_until_healthy(
    target: Target,
    container: str,
    socket_path: Path,
    accelerator: Accelerator,
    image_id: str,
    timeout: float,
) -> Environment:
    deadline = time.monotonic() + timeout
    uri = f"qemu:///system?socket={socket_path}"
    problem = "its socket never appeared"
    while True:
        if socket_path.is_socket():
            answer = _probe(uri, max(deadline - time.monotonic(), 0.0))
            if isinstance(answer, tuple):
                libvirt_version, qemu_version, capabilities = answer
                break
            problem = answer
        if time.monotonic() >= deadline:
            raise DaemonUnhealthyError(
                f"libvirt daemon ({target.name}) not healthy within {timeout:g} s: {problem}",
                _read_log(container, 50) or "",
            )
        state = run_podman("inspect", "--format", "{{.State.Status}}", container, check=False)
        if state.stdout.strip() != "running":
            raise DaemonUnhealthyError(
                f"libvirt daemon ({target.name}) exited while starting",
                _read_log(container, 50) or "",
            )
        time.sleep(0.05)
    if accelerator == "kvm" and not _offers_kvm(capabilities):
        raise DaemonUnhealthyError(
            f"{KVM_DEVICE} was passed in but the daemon offers no kvm domains",
            _read_log(container, 50) or "",
        )
    return Environment.reported(
        target=target.name,
        libvirt_version=version_string(libvirt_version),
        qemu_version=version_string(qemu_version),
        accelerator=accelerator,
        image_id=image_id,
    )


def _probe(uri: str, timeout: float) -> tuple[int, int, str] | str:
    """Ask the daemon for its versions and capabilities; return them or what went wrong.

    Runs in a thread because a wedged daemon can accept the connection and never answer;
    an abandoned probe fails on its own once the container is removed.
    """
    answers: list[tuple[int, int, str] | str] = []

    def ask() -> None:
        try:
            connection = libvirt.open(uri)
            try:
                # getVersion() waits for QEMU's capability probe: healthy means guests can start.
                answers.append(
                    (
                        connection.getLibVersion(),
                        connection.getVersion(),
                        connection.getCapabilities(),
                    )
                )
            finally:
                connection.close()
        except libvirt.libvirtError as error:
            answers.append(str(error))

    thread = threading.Thread(target=ask, name="libvirt-health-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return answers[0] if answers else "it accepted a connection but did not answer"


def _offers_kvm(capabilities_xml: str) -> bool:
    root = etree.fromstring(capabilities_xml.encode())
    return bool(root.xpath("guest/arch/domain[@type='kvm']"))


def _read_log(container: str, lines: int) -> str | None:
    """The container's last log lines (stdout and stderr interleaved), None if it is gone."""
    result = subprocess.run(
        podman_argv("logs", "--tail", str(lines), container),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=60,
    )
    return result.stdout.strip() if result.returncode == 0 else None
