"""Connections to a daemon with a deadline on every libvirt call.

libvirt's client waits for a reply forever: a daemon that stops answering (frozen, wedged,
SIGSTOPped) would hang a check, its run and every check waiting on it. Two deadlines cover
every call: opening the connection runs in a thread that is given up after ``OPEN_TIMEOUT``,
and an open connection pings the daemon (libvirt's keepalive, which needs an event loop);
after ``KEEPALIVE_COUNT`` unanswered pings the client closes it, so every call blocked on it
returns an error at once.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack

import libvirt

from relnotes.engine.daemon import Daemon

KEEPALIVE_INTERVAL = 2  # seconds of silence before a ping
KEEPALIVE_COUNT = 3  # unanswered pings before the connection is closed
SILENCE_LIMIT = KEEPALIVE_INTERVAL * (KEEPALIVE_COUNT + 1)  # the longest a call can hang
OPEN_TIMEOUT = 20.0

_loop_lock = threading.Lock()
_loop_started = False


class DaemonUnresponsiveError(RuntimeError):
    """The daemon accepted the connection but stopped answering within its deadline."""


def start_event_loop() -> None:
    """libvirt's default event loop, once per process, in a daemon thread: keepalive needs it.

    It must be registered before the connections it serves are opened.
    """
    global _loop_started
    with _loop_lock:
        if _loop_started:
            return
        libvirt.virEventRegisterDefaultImpl()

        def run() -> None:
            while True:
                libvirt.virEventRunDefaultImpl()

        threading.Thread(target=run, name="libvirt-events", daemon=True).start()
        _loop_started = True


def open_connection(daemon: Daemon, timeout: float = OPEN_TIMEOUT) -> libvirt.virConnect:
    """A connection to ``daemon`` through its checked socket, with keepalive on."""
    start_event_loop()
    answers: list[libvirt.virConnect | libvirt.libvirtError] = []
    socket = ExitStack()
    uri = socket.enter_context(daemon.checked_uri())

    def connect() -> None:
        try:
            answers.append(libvirt.open(uri))
        except libvirt.libvirtError as error:
            answers.append(error)

    thread = threading.Thread(target=connect, name="libvirt-open", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        # Given up; it fails on its own once the container is removed. The checked socket
        # stays open until then, so its descriptor number cannot name another file meanwhile.
        def release() -> None:
            thread.join()
            socket.close()

        threading.Thread(target=release, name="libvirt-open-release", daemon=True).start()
        raise DaemonUnresponsiveError(f"the libvirt daemon did not answer a connection within "
                                      f"{timeout:g} s")
    socket.close()
    answer = answers[0]
    if isinstance(answer, libvirt.libvirtError):
        raise answer
    answer.setKeepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_COUNT)
    return answer


def stopped_answering(connection: libvirt.virConnect | None) -> bool:
    """Whether keepalive gave up on ``connection`` (asks nothing of the daemon)."""
    if connection is None:
        return False
    try:
        return not connection.isAlive()
    except (libvirt.libvirtError, DaemonUnresponsiveError):
        return True
