"""One check's hold on a daemon: its guest name, deadline, work directory and execs."""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

import libvirt

from relnotes.core.ledger import now
from relnotes.core.plan import Check
from relnotes.engine.batch import Command, File, Ran, run_batch
from relnotes.engine.daemon import Daemon
from relnotes.engine.privilege import as_step_user, new_step_user, step_environment
from relnotes.engine.probes import ProbeError

from ._outcome import Outcome

WORK_ROOT = "/run/relnotes"
PLACEHOLDER = "@GUEST@"  # in base guests and setup commands: the check's unique guest name
_UNDEFINE = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
             | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
# what `virsh dumpxml --inactive --security-info` asks for, and `virsh edit` offers the editor
_EDITABLE = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
T = TypeVar("T")
#: Past the check's deadline a call still gets this long, so its error names the cause.
CALL_GRACE = 2.0
#: Each libvirt call of a cleanup (lookup, destroy, undefine, close); keepalive gives up sooner.
CLEANUP_CALL_TIMEOUT = 10.0


class Session:
    """What one check holds on one daemon, with a unique guest name so checks can run side by
    side: the connection, the deadline, the work directory, the execs that write and run, and
    the outcome they are recorded in. The parts of a procedure (its steps, its effects) are
    given the session; none of them keeps state in it.
    """

    def __init__(self, check: Check, daemon: Daemon, target: str, guest: str):
        self.check = check
        self.spec = check.driver
        self.daemon = daemon
        self.guest = guest
        self.work = f"{WORK_ROOT}/{guest}"
        self.outcome = Outcome(check, target, now(),
                               accelerator=str(getattr(daemon.environment, "accelerator", "")))
        self.deadline = time.monotonic() + self.spec.timeout
        self.connection: libvirt.virConnect | None = None
        self.specs = {used.snippet: used for used in check.uses}
        self.counter = 0
        self.pending: list[File] = []  # written with the next command the check runs
        self.jobs: list[Future[Any]] = []  # work running alongside the check's own
        self.user = new_step_user()  # the published steps' own unprivileged user
        self.installed: list[str] = []  # absolute paths the steps install: given to that user
        self.ran_published = False
        self.cleaning = False  # past the check's own work: cleanup's allowance for calls

    def call_timeout(self) -> float:
        """How long the next libvirt call may take: the check's time left (and a grace to
        report it), or the cleanup's allowance once the check's own work is over."""
        if self.cleaning:
            return CLEANUP_CALL_TIMEOUT
        return max(self.deadline - time.monotonic(), 0.0) + CALL_GRACE

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the check's {self.spec.timeout:g} s timeout expired")
        return left

    def background(self, function: Callable[[], T]) -> Future[T]:
        """Run ``function`` alongside the check; cleanup waits for it."""
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as error:
                future.set_exception(error)

        threading.Thread(target=run, name=f"{self.guest}-job", daemon=True).start()
        self.jobs.append(future)
        return future

    def log_ran(self, ran: Ran) -> None:
        self.outcome.log.append(f"$ {ran.command}  # exit {ran.returncode}")
        self.outcome.log.extend(f"  {line}" for line in (ran.stdout + ran.stderr)
                                .splitlines()[-30:])

    def batch(self, files: Sequence[File] = (), commands: Sequence[Command] = (),
              final: Command | None = None) -> tuple[list[Ran], Ran | None]:
        """One exec: write ``files``, run ``commands`` until one fails, then ``final``."""
        ran, last = run_batch(self.daemon, files=files, commands=commands, final=final,
                              timeout=self.remaining())
        for result in [*ran, *([last] if last else [])]:
            self.log_ran(result)
        return ran, last

    def published(self, argv: tuple[str, ...], env: dict[str, str],
                  cwd: str | None = None) -> Command:
        """A published command, run as the check's own unprivileged user."""
        self.ran_published = True
        return Command(as_step_user(argv, self.user, [self.work, *self.installed]),
                       {**env, **step_environment(self.work)}, cwd,
                       f"{shlex.join(argv)}  (as uid {self.user})")

    def take_pending(self) -> list[File]:
        files, self.pending = self.pending, []
        return files

    def flush(self) -> None:
        """Write the pending files now: what comes next may need them (e.g. starting a guest)."""
        if self.pending:
            self.batch(self.take_pending())

    def run_in_container(self, argv: list[str], label: str | None = None,
                         timeout: float | None = None) -> tuple[int, str, str]:
        """Run a harness command; ``timeout`` for cleanup, which runs past the deadline."""
        result = self.daemon.exec(argv, timeout=timeout or self.remaining())
        out = result.stdout.decode(errors="replace")
        err = result.stderr.decode(errors="replace")
        self.log_ran(Ran(Command(tuple(argv), label=label), result.returncode, out, err))
        return result.returncode, out, err

    def read(self, argv: list[str]) -> str:
        code, out, err = self.run_in_container(argv)
        if code != 0:
            raise ProbeError(f"{shlex.join(argv)} exited {code}: {err.strip()}")
        return out

    def next_path(self, name: str) -> str:
        self.counter += 1
        return f"{self.work}/{self.counter:02d}-{name}"

    @property
    def conn(self) -> libvirt.virConnect:
        assert self.connection is not None
        return self.connection

    def editable_xml(self, name: str) -> str:
        """The definition as `virsh dumpxml --inactive --security-info` prints it (less the
        newline virsh adds) and as `virsh edit` hands it to the editor."""
        return str(self.conn.lookupByName(name).XMLDesc(_EDITABLE)).rstrip("\n") + "\n"

    def domain_names(self) -> set[str]:
        names = {self.guest, self.guest + "-ctl"}
        names.update(e.guest for e in self.spec.effects if e.guest)
        for step in self.spec.steps:
            if step.edit:
                names.update(v for k, v in step.edit.set_text.items() if k == "/domain/name")
        return names

    def remove_domain(self, name: str) -> None:
        try:
            domain = self.conn.lookupByName(name)
        except libvirt.libvirtError:
            return
        try:
            if domain.isActive():
                domain.destroy()
            if domain.isPersistent():
                domain.undefineFlags(_UNDEFINE)
        except libvirt.libvirtError as error:
            self.outcome.log.append(f"cleanup of {name}: {error}")

    def base_xml(self, name: str) -> str:
        """The base guest as ``name``: the check's guest before the snippet, and its control
        (the same guest, the snippet left out)."""
        from relnotes.engine.container import adapt_to_accelerator

        text = (self.check.snippets_dir / self.spec.guest).read_text(encoding="utf-8")
        return adapt_to_accelerator(text.replace(PLACEHOLDER, name), self.daemon.domain_type,
                                    libvirt_version=self.daemon.environment.libvirt_version)
