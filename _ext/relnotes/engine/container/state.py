"""The CLI's record of daemons it started with ``up``, so ``down`` and ``status`` find them."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from relnotes.core.atomic import write_atomic

from .daemon import RunningDaemon
from .errors import ContainerError, StateFileError

STATE_VERSION = 1


def state_dir() -> Path:
    """``$RELNOTES_STATE_DIR``, else ``$XDG_RUNTIME_DIR/relnotes``, else /run/relnotes (root).

    A runtime directory on purpose: after a reboot the containers are gone, and so is
    the record of them.
    """
    if explicit := os.environ.get("RELNOTES_STATE_DIR"):
        return Path(explicit)
    if runtime := os.environ.get("XDG_RUNTIME_DIR"):
        return Path(runtime) / "relnotes"
    if os.geteuid() == 0:
        return Path("/run/relnotes")
    return Path(tempfile.gettempdir()) / f"relnotes-{os.geteuid()}"


def state_file() -> Path:
    return state_dir() / "daemons.json"


def load(path: Path) -> dict[str, RunningDaemon]:
    """The recorded daemons by target name; no file means none."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    return parse(text, source=str(path))


def parse(text: str, *, source: str) -> dict[str, RunningDaemon]:
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError(f"expected an object with version {STATE_VERSION}")
        daemons = data["daemons"]
        if not isinstance(daemons, dict):
            raise ValueError("'daemons' must be an object")
        records = {name: RunningDaemon.from_dict(entry) for name, entry in daemons.items()}
    except (ValueError, KeyError, TypeError, ContainerError) as error:
        raise StateFileError(
            f"cannot read {source}: {error}; stop stray containers with "
            "`podman rm -f $(podman ps -aq --filter label=relnotes.owner=detached)` "
            "and delete the file"
        ) from None
    for name, daemon in records.items():
        if daemon.target.name != name:
            raise StateFileError(f"cannot read {source}: entry {name!r} is for {daemon.target.name!r}")
    return records


def render(daemons: dict[str, RunningDaemon]) -> str:
    payload = {
        "version": STATE_VERSION,
        "daemons": {name: daemon.to_dict() for name, daemon in sorted(daemons.items())},
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def save(path: Path, daemons: dict[str, RunningDaemon]) -> None:
    """Replace the file atomically, so a crash never leaves half a record."""
    write_atomic(path, render(daemons))
