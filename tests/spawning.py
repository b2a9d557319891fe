"""Processes a test starts, removed with what they own however the test ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any


class Spawned:
    """Processes a test starts; whatever the test's outcome, none outlives it, nor do the
    daemon containers (with their guests) and socket folders they own."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[Any]] = []

    def __call__(self, argv: list[str], **options: Any) -> subprocess.Popen[Any]:
        process: subprocess.Popen[Any] = subprocess.Popen(argv, **options)
        self.processes.append(process)
        return process

    def clean_up(self) -> list[str]:
        """Kill what still runs (its whole session, if it has one of its own); remove what
        the processes owned. Returns what had to be cleaned up."""
        left: list[str] = []
        for process in self.processes:
            if process.poll() is None:
                left.append(f"process {process.pid}")
                with contextlib.suppress(ProcessLookupError):
                    if os.getpgid(process.pid) == process.pid:
                        os.killpg(process.pid, signal.SIGKILL)
                    else:
                        process.kill()
                process.wait()
        for stream in (s for p in self.processes for s in (p.stdin, p.stdout, p.stderr)):
            if stream is not None:
                stream.close()
        pids = {process.pid for process in self.processes}
        if pids and shutil.which("podman"):
            # Lazily: the reaper needs podman, which a machine without the harness lacks.
            from relnotes.engine.container.reaper import (
                SOCKET_DIR_PREFIX,
                daemon_containers,
                remove_container,
                remove_tree,
            )

            for container in daemon_containers():
                if (owner := container.owner) is not None and owner.pid in pids:
                    remove_container(container.name)
                    if container.socket_dir:
                        remove_tree(Path(container.socket_dir))
                    left.append(f"container {container.name}")
            for pid in pids:  # a socket folder made before its container was
                for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_DIR_PREFIX}{pid}-*"):
                    remove_tree(folder)
                    left.append(f"socket folder {folder}")
        return left
