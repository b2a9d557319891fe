"""The order of one check: setup, the published steps or the snippet itself, layers, effects."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial
from typing import cast

import libvirt

from relnotes.core.ledger import LayerStatus
from relnotes.core.plan import Check
from relnotes.core.spec import SnippetKind, Step, StepAction
from relnotes.engine.batch import Command, File, Ran
from relnotes.engine.connection import (
    OPEN_TIMEOUT,
    SILENCE_LIMIT,
    DaemonUnresponsiveError,
    open_connection,
    stopped_answering,
)
from relnotes.engine.controls import Controls
from relnotes.engine.daemon import Daemon
from relnotes.engine.deadline import Deadlined
from relnotes.engine.layers import schema_command, schema_layer, semantic_layer
from relnotes.engine.privilege import audit_command
from relnotes.engine.xmledit import XmlError, apply_fragment, parse, serialize

from ._effects import Effects
from ._outcome import Aborted, Outcome
from ._session import PLACEHOLDER, Session
from ._steps import Steps

#: The longest a check's cleanup may take, every removal and the close included.
CLEANUP_TIMEOUT = 30.0


class Procedure:
    """One check on one daemon: what runs, in which order, and which layer a failure is in.

    Composed of parts with explicit inputs: the session (the hold on the daemon and the
    outcome), the published steps, and the effects with their controls.
    """

    def __init__(self, check: Check, daemon: Daemon, target: str, guest: str, *,
                 controls: Controls | None = None) -> None:
        self.session = Session(check, daemon, target, guest)
        self.steps = Steps(self.session)
        self.observer = Effects(self.session, controls)

    lost: str | None = None  # why the daemon cannot be used again (it stopped answering...)

    def run(self) -> Outcome:
        start = time.monotonic()
        try:
            self.session.connection = cast(libvirt.virConnect, Deadlined(
                open_connection(self.session.daemon, min(OPEN_TIMEOUT, self.session.remaining())),
                self.session.call_timeout))
            for name in self.session.domain_names():
                self.session.remove_domain(name)
            try:
                self.execute()
            finally:
                self.observe_symptom()
        except Aborted:
            pass
        except TimeoutError as error:  # the harness's ExecTimeoutError is one too
            self.session.outcome.record("run", LayerStatus.FAILED,
                                f"killed: {error} (the check's timeout is {self.session.spec.timeout:g} s)")
        except Exception as error:
            detail = f"{type(error).__name__}: {error}"
            if not self.session.daemon.is_alive():
                detail = f"the libvirt daemon died during the check ({detail})"
            elif (isinstance(error, DaemonUnresponsiveError)
                  or stopped_answering(self.session.connection)):
                detail = (f"the libvirt daemon stopped answering (no reply within "
                          f"{SILENCE_LIMIT} s; {detail})")
                self.lost = detail
            self.session.outcome.record("harness", LayerStatus.FAILED, detail)
        finally:
            self.check_sandbox()
            self.cleanup()
            self.session.outcome.duration = time.monotonic() - start
        return self.session.outcome

    def observe_symptom(self) -> None:
        """The issue's symptom on the unchanged guest, whatever became of the check: it says
        whether the workaround is needed on this version, not whether it works."""
        if (self.session.spec.symptom is None or self.session.connection is None
                or self.session.check.overrides):  # a mutant's symptom is its check's
            return
        try:
            self.observer.symptom()
        except Exception as error:  # the check's own result stands; the log says why
            self.session.outcome.log.append(f"symptom not observed: {type(error).__name__}: "
                                            f"{error}")

    def audit_published(self) -> None:
        """The published steps may write their work directory and the absolute paths the spec
        names (what it installs or edits); anything else they left is removed, and fails the
        check: it would be another check's file, or a trap for it."""
        try:
            _, out, _ = self.session.run_in_container(
                audit_command(self.session.user, self.session.work),
                f"(harness: stop uid {self.session.user}'s processes, remove what it wrote)", timeout=30)
        except Exception as error:
            self.session.outcome.log.append(f"audit of the published steps' writes: {error}")
            return
        allowed = {claim.removeprefix("path:") for claim in self.session.check.claims()}
        stray = [path for path in out.splitlines() if path and path not in allowed]
        if stray:
            self.session.outcome.record("run", LayerStatus.FAILED, "a published step wrote outside "
                                f"the check's work directory and declared paths: "
                                f"{', '.join(stray[:10])}")

    def check_sandbox(self) -> None:
        """Whatever the check did, the daemon must still be the one the host started, answer,
        and have nothing new beside its socket; otherwise the check fails (never a pass for a
        check that broke the sandbox) and its target is not used again."""
        problem = self.session.daemon.sandbox_problem()
        if problem is not None:
            detail = f"the sandbox was tampered with during the check: {problem}"
        elif self.lost is None and stopped_answering(self.session.connection):
            # a layer may have reported the closed connection as its own failure
            detail = f"the libvirt daemon stopped answering (no reply within {SILENCE_LIMIT} s)"
            if not self.session.daemon.is_alive():
                detail = "the libvirt daemon died during the check"
        else:
            return
        self.lost = detail
        self.session.outcome.record("harness", LayerStatus.FAILED, detail)
        # The cause of whatever failed before it (a define that got "connection closed"): the
        # reason a reader sees names it, not its symptom.
        self.session.outcome.failures.insert(0, self.session.outcome.failures.pop())

    def cleanup(self) -> None:
        """Remove the guests (side by side: each destroy waits ~0.2 s for QEMU to go) and the
        work directory, once the work running alongside the check has finished.

        Bounded as a whole (``CLEANUP_TIMEOUT``; each libvirt call by its own deadline): what
        has not finished by then is abandoned with the connection, and the daemon is not used
        again (its container is removed at the end of the run, which ends what was left)."""
        self.session.cleaning = True  # libvirt calls get the cleanup's allowance from here on
        wait(self.session.jobs, timeout=CLEANUP_TIMEOUT)  # failures reported where they mattered
        tasks: list[Callable[[], object]] = [
            partial(self.session.daemon.exec, ["rm", "-rf", self.session.work], timeout=30)]
        if self.session.ran_published and self.lost is None:
            tasks.append(self.audit_published)  # the work dir is not its business
        if self.session.connection is not None and self.lost is None:
            tasks += [partial(self.session.remove_domain, name)
                      for name in sorted(self.session.domain_names())]
        pool = ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="cleanup")
        futures = [pool.submit(task) for task in tasks]
        pool.shutdown(wait=False)  # never waits past the deadline below
        _, late = wait(futures, timeout=CLEANUP_TIMEOUT)
        for future in futures:
            if future in late:
                continue
            if (error := future.exception()) is not None:
                self.session.outcome.log.append(f"cleanup: {type(error).__name__}: {error}")
                if isinstance(error, DaemonUnresponsiveError) and self.lost is None:
                    self.lost = f"the libvirt daemon stopped answering during cleanup ({error})"
        if late:
            detail = (f"cleanup did not finish within {CLEANUP_TIMEOUT:g} s: abandoned, with "
                      "the connection; the daemon is not used again")
            self.session.outcome.log.append(f"cleanup: {detail}")
            self.lost = self.lost or detail
            return  # a call may still hold the connection: closing it under that call is unsafe
        if getattr(self.session.connection, "abandoned", False):
            return  # an abandoned call may still be running on it: left to the container's end
        try:  # last, once nothing else uses it; under its own deadline
            if self.session.connection is not None:
                self.session.connection.close()
        except (libvirt.libvirtError, DaemonUnresponsiveError) as error:
            self.session.outcome.log.append(f"cleanup: {type(error).__name__}: {error}")

    def execute(self) -> None:
        spec = self.session.spec
        runnable = spec.kind in (SnippetKind.SHELL, SnippetKind.VIRSH, SnippetKind.CONSOLE)
        if spec.not_verifiable and runnable and not spec.steps:
            self.session.outcome.log.append(f"not run: {spec.not_verifiable}")
            return
        if spec.steps:
            self.setup()
            self.procedure()
        elif spec.kind in (SnippetKind.XML_FRAGMENT, SnippetKind.DOMAIN_XML):
            self.standalone_xml()  # runs the setup with its schema layer, in one exec
        elif spec.kind is SnippetKind.CONSOLE:
            self.setup()
            self.steps.console()
        else:
            self.setup()
            self.steps.step(Step(snippet=spec.snippet))

    def setup(self, files: Sequence[File] = (), then: Sequence[Command] = ()) -> list[Ran]:
        """The stated setup commands, each recorded, then ``then`` (if setup succeeded), in one
        exec with ``files``; returns what ``then`` gave."""
        commands = [Command(tuple(arg.replace(PLACEHOLDER, self.session.guest) for arg in item.run))
                    for item in self.session.spec.setup]
        if not commands and not then and not files:
            return []
        ran, _ = self.session.batch(files, [*commands, *then])
        for item, result in zip(self.session.spec.setup, ran, strict=False):
            argv = shlex.join(result.command.argv)
            if result.returncode != 0:
                self.session.outcome.record("setup", LayerStatus.FAILED, f"{argv} exited "
                                    f"{result.returncode}: {result.stderr.strip()}",
                                    said=result.stderr + result.stdout)
                raise Aborted
            self.session.outcome.record("setup", LayerStatus.PASSED, f"{argv} ({item.why})")
        return ran[len(commands):]

    def standalone_xml(self) -> None:
        """Schema layer, then semantic layer (which defines the guest), then the effects.

        The schema exec runs alongside the define, the guest's start and the control guest's
        (each mostly waiting); the layers are recorded in order, and the effects observed only
        if both passed, as if they had run one after the other.
        """
        key = self.session.spec.snippet
        try:
            if self.session.check.omitted(key):  # a mutant: the guest without the snippet
                xml = self.session.base_xml(self.session.guest)
            elif self.session.spec.kind is SnippetKind.XML_FRAGMENT:
                assert self.session.spec.apply is not None
                xml = apply_fragment(self.session.base_xml(self.session.guest), self.session.check.text(key),
                                     self.session.spec.apply, key)
            else:
                root = parse(self.session.check.text(key), key)
                name = root.find("name")
                if name is None:
                    raise XmlError(f"{key}: a domain needs a <name>")
                name.text = self.session.guest  # unique per check, so checks can run in parallel
                xml = serialize(root)
        except XmlError as error:
            self.session.outcome.record("schema", LayerStatus.FAILED, f"not well-formed or not applicable:"
                                f" {error}")
            raise Aborted from None
        except UnicodeDecodeError as error:  # an XML problem like any other, not the harness's
            self.session.outcome.record("schema", LayerStatus.FAILED, f"{key}: not UTF-8 text "
                                        f"(byte {error.start})")
            raise Aborted from None
        from relnotes.engine.container import adapt_to_accelerator

        xml = adapt_to_accelerator(xml, self.session.daemon.domain_type,
                                   libvirt_version=self.session.daemon.environment.libvirt_version)
        path = self.session.next_path("domain.xml")
        files, schema = [File(path, xml.encode())], [schema_command(path)]
        observing = bool(self.session.spec.effects) and not self.session.spec.not_verifiable
        if self.session.spec.setup:  # the guests need what the setup makes: it goes first
            validated: Future[list[Ran]] = Future()
            validated.set_result(self.setup(files, then=schema))
        else:
            validated = self.session.background(partial(self.setup, files, then=schema))
        if observing:
            self.observer.begin_controls()
        semantic, domain = semantic_layer(self.session.conn, xml)
        started: libvirt.libvirtError | None = None
        if domain is not None and observing and any(
                e.guest in (None, self.session.guest) for e in self.session.spec.effects):
            try:
                domain.create()
                self.session.outcome.log.append(f"harness: started {self.session.guest} to observe it")
            except libvirt.libvirtError as error:
                started = error  # reported after the layers, where it would have happened
        [ran] = validated.result()
        layer = schema_layer(ran)
        self.session.outcome.record("schema", layer.status, f"{key}: {layer.detail}", layer.said)
        self.session.outcome.record("semantic", semantic.status, f"{key}: {semantic.detail}",
                                    semantic.said)
        if domain is None or layer.status is LayerStatus.FAILED:
            raise Aborted
        if started is not None:  # QEMU or libvirt refused to start the guest the snippet made
            self.session.outcome.record("run", LayerStatus.FAILED,
                                        f"starting {self.session.guest} failed: {started}",
                                        said=str(started))
            raise Aborted
        if self.session.spec.not_verifiable:
            self.session.outcome.log.append(f"effect not observed: {self.session.spec.not_verifiable}")
            return
        self.observer.effects()

    def procedure(self) -> None:
        try:
            self.session.conn.defineXML(self.session.base_xml(self.session.guest))
        except libvirt.libvirtError as error:
            self.session.outcome.record("setup", LayerStatus.FAILED, f"base guest refused: {error}",
                                        said=str(error))
            raise Aborted from None
        if self.session.spec.effects:
            self.observer.begin_controls()  # the control guest starts while the steps run
        for step in self.session.spec.steps:
            if step.action is StepAction.START:
                self.session.flush()
                try:
                    self.session.conn.lookupByName(self.session.guest).create()
                except libvirt.libvirtError as error:
                    self.session.outcome.record("run", LayerStatus.FAILED, f"starting "
                                                f"{self.session.guest} failed: {error}",
                                                said=str(error))
                    raise Aborted from None
                self.session.outcome.log.append(f"harness: started {self.session.guest}")
            elif step.action is StepAction.DESTROY:
                self.session.conn.lookupByName(self.session.guest).destroy()
            else:
                self.steps.step(step)
        self.session.flush()
        for name in sorted({self.session.guest, *(e.guest for e in self.session.spec.effects if e.guest)}):
            try:
                domain = self.session.conn.lookupByName(name)
            except libvirt.libvirtError as error:  # the steps did not make the guest they name
                self.session.outcome.record("run", LayerStatus.FAILED, f"the published steps "
                                            f"left no guest {name}: {error}", said=str(error))
                continue
            xml = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)
            layer, _ = semantic_layer(self.session.conn, xml)
            self.session.outcome.record("semantic", layer.status, f"{name} as the steps left it: "
                                f"{layer.detail}", layer.said)
        if self.session.outcome.failure():
            raise Aborted
        if self.session.spec.effects:
            self.observer.effects()
