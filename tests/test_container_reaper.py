"""Ownership of daemon containers and socket dirs, and reaping what dead owners left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from relnotes.engine.container.reaper import (
    Owner,
    current_owner,
    reap_orphan_socket_dirs,
    socket_dir_prefix,
)


def dead_owner() -> Owner:
    """The owner token of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    ticks = int(Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[19])
    owner = Owner(child.pid, ticks)
    assert owner.is_alive()
    child.communicate(b"")
    assert not owner.is_alive()
    return owner


def test_current_owner_is_alive_and_round_trips() -> None:
    owner = current_owner()
    assert owner.is_alive()
    assert Owner.parse(str(owner)) == owner


def test_a_reused_pid_is_not_the_same_owner() -> None:
    owner = current_owner()
    assert not Owner(owner.pid, owner.start_ticks + 1).is_alive()


def test_parse_refuses_other_labels() -> None:
    assert Owner.parse("detached") is None
    assert Owner.parse("12-x") is None
    assert Owner.parse("") is None


def test_only_dead_owners_socket_dirs_are_reaped(tmp_path: Path) -> None:
    mine = tmp_path / f"{socket_dir_prefix(current_owner())}abc"
    orphan = tmp_path / f"{socket_dir_prefix(dead_owner())}def"
    unrelated = tmp_path / "relnotes-libvirt-not-ours"
    for directory in (mine, orphan, unrelated):
        (directory / "qemu").mkdir(parents=True)
    removed = reap_orphan_socket_dirs(tmp_path)
    assert removed == [f"socket dir {orphan}"]
    assert mine.exists() and unrelated.exists() and not orphan.exists()
