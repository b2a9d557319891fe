"""Who owns a daemon container, and removing what dead owners left behind.

A run that is SIGKILLed cannot clean up, so every container and socket directory is
tagged with its owner (pid plus the kernel's start time for that pid, which survives pid
reuse); each new start removes whatever belongs to owners that no longer exist.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import PodmanError
from .podman import run_podman

OWNER_LABEL = "relnotes.owner"
SOCKET_DIR_LABEL = "relnotes.socket-dir"
TARGET_LABEL = "relnotes.target"
#: Owner label value of daemons started by ``python -m relnotes.engine.container up``.
DETACHED = "detached"
SOCKET_DIR_PREFIX = "relnotes-libvirt-"

_SOCKET_DIR = re.compile(rf"{re.escape(SOCKET_DIR_PREFIX)}(\d+)-(\d+)-.+")


@dataclass(frozen=True)
class Owner:
    pid: int
    start_ticks: int

    def __str__(self) -> str:
        return f"{self.pid}-{self.start_ticks}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        pid, sep, ticks = text.partition("-")
        if not (sep and pid.isdigit() and ticks.isdigit()):
            return None
        return cls(int(pid), int(ticks))

    def is_alive(self) -> bool:
        return _start_ticks(self.pid) == self.start_ticks


def current_owner() -> Owner:
    ticks = _start_ticks(os.getpid())
    assert ticks is not None, "/proc/self/stat is always readable"
    return Owner(os.getpid(), ticks)


def socket_dir_prefix(owner: Owner) -> str:
    """``mkdtemp`` prefix that lets a later run tell whose directory it is."""
    return f"{SOCKET_DIR_PREFIX}{owner}-"


def reap_orphans(temp_root: Path | None = None) -> list[str]:
    """Remove containers and socket dirs whose owner died; return what was removed."""
    return reap_orphan_containers() + reap_orphan_socket_dirs(temp_root)


@dataclass(frozen=True)
class DaemonContainer:
    """A daemon container as podman lists it, whoever started it."""

    name: str
    state: str
    owner_label: str
    socket_dir: str | None

    @property
    def owner(self) -> Owner | None:
        """The owning process; None for detached (``up``) daemons."""
        return Owner.parse(self.owner_label)


def daemon_containers() -> list[DaemonContainer]:
    listing = run_podman("ps", "--all", "--filter", f"label={OWNER_LABEL}", "--format", "json").stdout
    found = []
    for container in json.loads(listing or "[]"):
        labels = container.get("Labels") or {}
        found.append(
            DaemonContainer(
                name=container["Names"][0],
                state=container.get("State", "unknown"),
                owner_label=labels.get(OWNER_LABEL, ""),
                socket_dir=labels.get(SOCKET_DIR_LABEL),
            )
        )
    return found


def reap_orphan_containers() -> list[str]:
    removed: list[str] = []
    for container in daemon_containers():
        owner = container.owner
        if owner is None or owner.is_alive():
            continue  # detached (CLI) daemons and live owners are not ours to touch
        remove_container(container.name)
        removed.append(f"container {container.name}")
        if container.socket_dir:
            remove_tree(Path(container.socket_dir))
    return removed


def reap_orphan_socket_dirs(temp_root: Path | None = None) -> list[str]:
    """Socket dirs outlive their container when the owner died between the two removals."""
    removed: list[str] = []
    for path in (temp_root or Path(tempfile.gettempdir())).glob(f"{SOCKET_DIR_PREFIX}*"):
        match = _SOCKET_DIR.fullmatch(path.name)
        if match and not Owner(int(match[1]), int(match[2])).is_alive():
            remove_tree(path)
            removed.append(f"socket dir {path}")
    return removed


def remove_container(name: str) -> None:
    """Kill and remove a container at once; a container already gone is fine."""
    try:
        run_podman("rm", "--force", "--time", "0", name)
    except PodmanError as error:
        if "no such container" not in error.output.lower():
            raise


def remove_tree(path: Path) -> None:
    """Remove a directory tree; one already removed (by a concurrent reaper) is fine."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(path)


def _start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat (start time in clock ticks), or None if no such pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ")".
    return int(stat.rpartition(")")[2].split()[19])
