"""What the engine needs from a libvirt daemon; the container harness's RunningDaemon fits it."""

from __future__ import annotations

import subprocess
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Daemon(Protocol):
    @property
    def uri(self) -> str: ...

    @property
    def domain_type(self) -> str: ...

    @property
    def environment(self) -> Any: ...

    def exec(self, argv: list[str], *, input: bytes | None = None, timeout: float,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]: ...

    def write_file(self, path: str, data: bytes, mode: int = 0o644) -> None: ...

    def checked_uri(self) -> AbstractContextManager[str]: ...

    def stop(self) -> None: ...

    def is_alive(self) -> bool: ...

    def log_tail(self, lines: int = 50) -> str: ...
