"""A deadline on every libvirt call a check makes, its cleanup's included.

libvirt's keepalive (``relnotes.engine.connection``) closes a connection whose daemon stopped
answering, which ends the calls waiting on it; but it depends on the event loop thread and on
the daemon having agreed to keepalive, and nothing else bounds a call. So each call on a
check's connection, and on the objects it returns (domains), runs in a thread of its own that
is waited for until a deadline: past it the call is abandoned (the thread ends by itself once
the container is removed) and :class:`~relnotes.engine.connection.DaemonUnresponsiveError` is
raised in the check, which then stops using the daemon.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import libvirt

from relnotes.engine.connection import DaemonUnresponsiveError

T = TypeVar("T")

#: libvirt objects whose methods talk to the daemon: what a call returns is wrapped as well.
_REMOTE = (libvirt.virConnect, libvirt.virDomain, libvirt.virNetwork, libvirt.virStoragePool,
           libvirt.virStorageVol, libvirt.virNodeDevice, libvirt.virSecret,
           libvirt.virInterface, libvirt.virNWFilter, libvirt.virDomainSnapshot)


def call_with_deadline(function: Callable[[], T], timeout: float, what: str) -> T:
    """``function()``'s result, or DaemonUnresponsiveError once ``timeout`` seconds passed."""
    answers: list[tuple[bool, Any]] = []

    def call() -> None:
        try:
            answers.append((True, function()))
        except BaseException as error:  # handed to the caller's thread
            answers.append((False, error))

    thread = threading.Thread(target=call, name=f"libvirt-{what}", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0))
    if not answers:
        raise DaemonUnresponsiveError(f"the libvirt daemon did not answer {what} within "
                                      f"{max(timeout, 0.0):g} s")
    ok, value = answers[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


class Deadlined:
    """``target`` (a connection, a domain) whose every method call has a deadline.

    ``timeout`` is asked at each call: the check's remaining time while it runs, a fixed
    allowance during its cleanup. Attributes that are not methods (the binding's handle
    ``_o``, which libvirt_qemu reads) are the target's own.
    """

    def __init__(self, target: Any, timeout: Callable[[], float],
                 abandoned: threading.Event | None = None):
        self._target = target
        self._timeout = timeout
        # Shared by a connection and the objects it returned: once a call on any of them was
        # abandoned, it may still be running in libvirt, so the connection must not be closed.
        self._abandoned = abandoned if abandoned is not None else threading.Event()

    @property
    def abandoned(self) -> bool:
        """Whether a call was given up on (and may still be running)."""
        return self._abandoned.is_set()

    @property
    def wrapped(self) -> Any:
        """The libvirt object itself, for an API that needs the real one."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = call_with_deadline(lambda: attribute(*args, **kwargs),
                                            self._timeout(), name)
            except DaemonUnresponsiveError:
                self._abandoned.set()
                raise
            if isinstance(result, _REMOTE):
                return Deadlined(result, self._timeout, self._abandoned)
            return result

        return call
