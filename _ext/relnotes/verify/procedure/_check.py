"""The order of one check: setup, the published steps or the snippet itself, layers, effects."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import partial

import libvirt

from relnotes.ledger import LayerStatus
from relnotes.spec import SnippetKind, Step, StepAction
from relnotes.verify.batch import Command, File, Ran
from relnotes.verify.connection import (
    OPEN_TIMEOUT,
    SILENCE_LIMIT,
    DaemonUnresponsiveError,
    open_connection,
    stopped_answering,
)
from relnotes.verify.layers import schema_command, schema_layer, semantic_layer
from relnotes.verify.privilege import audit_command
from relnotes.verify.xmledit import XmlError, apply_fragment, parse, serialize

from ._effects import Effects
from ._outcome import Aborted, Outcome
from ._session import PLACEHOLDER
from ._steps import Steps


class Procedure(Steps, Effects):
    """One check on one daemon: what runs, in which order, and which layer a failure is in."""

    lost: str | None = None  # why the daemon cannot be used again (it stopped answering...)

    def run(self) -> Outcome:
        start = time.monotonic()
        try:
            self.connection = open_connection(self.daemon, min(OPEN_TIMEOUT, self.remaining()))
            for name in self.domain_names():
                self.remove_domain(name)
            self.execute()
        except Aborted:
            pass
        except TimeoutError as error:  # the harness's ExecTimeoutError is one too
            self.outcome.record("run", LayerStatus.FAILED,
                                f"killed: {error} (the check's timeout is {self.spec.timeout:g} s)")
        except Exception as error:
            detail = f"{type(error).__name__}: {error}"
            if not self.daemon.is_alive():
                detail = f"the libvirt daemon died during the check ({detail})"
            elif isinstance(error, DaemonUnresponsiveError) or stopped_answering(self.connection):
                detail = (f"the libvirt daemon stopped answering (no reply within "
                          f"{SILENCE_LIMIT} s; {detail})")
                self.lost = detail
            self.outcome.record("harness", LayerStatus.FAILED, detail)
        finally:
            self.check_sandbox()
            self.cleanup()
            self.outcome.duration = time.monotonic() - start
        return self.outcome

    def audit_published(self) -> None:
        """The published steps may write their work directory and the absolute paths the spec
        names (what it installs or edits); anything else they left is removed, and fails the
        check: it would be another check's file, or a trap for it."""
        try:
            _, out, _ = self.run_in_container(
                audit_command(self.user, self.work),
                f"(harness: stop uid {self.user}'s processes, remove what it wrote)", timeout=30)
        except Exception as error:
            self.outcome.log.append(f"audit of the published steps' writes: {error}")
            return
        allowed = {claim.removeprefix("path:") for claim in self.check.claims()}
        stray = [path for path in out.splitlines() if path and path not in allowed]
        if stray:
            self.outcome.record("run", LayerStatus.FAILED, "a published step wrote outside "
                                f"the check's work directory and declared paths: "
                                f"{', '.join(stray[:10])}")

    def check_sandbox(self) -> None:
        """Whatever the check did, the daemon must still be the one the host started, answer,
        and have nothing new beside its socket; otherwise the check fails (never a pass for a
        check that broke the sandbox) and its target is not used again."""
        problem = self.daemon.sandbox_problem()
        if problem is not None:
            detail = f"the sandbox was tampered with during the check: {problem}"
        elif self.lost is None and stopped_answering(self.connection):
            # a layer may have reported the closed connection as its own failure
            detail = f"the libvirt daemon stopped answering (no reply within {SILENCE_LIMIT} s)"
            if not self.daemon.is_alive():
                detail = "the libvirt daemon died during the check"
        else:
            return
        self.lost = detail
        self.outcome.record("harness", LayerStatus.FAILED, detail)
        # The cause of whatever failed before it (a define that got "connection closed"): the
        # reason a reader sees names it, not its symptom.
        self.outcome.failures.insert(0, self.outcome.failures.pop())

    def cleanup(self) -> None:
        """Remove the guests (side by side: each destroy waits ~0.2 s for QEMU to go) and the
        work directory, once the work running alongside the check has finished."""
        wait(self.jobs)  # their failures were reported where they mattered
        tasks: list[Callable[[], object]] = [
            partial(self.daemon.exec, ["rm", "-rf", self.work], timeout=30)]
        if self.ran_published and self.lost is None:
            tasks.append(self.audit_published)  # the work dir is not its business
        if self.connection is not None:
            tasks += [partial(self.remove_domain, name) for name in sorted(self.domain_names())]
        with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
            futures = [pool.submit(task) for task in tasks]
        for future in futures:
            if future.exception() is not None:
                error = future.exception()
                self.outcome.log.append(f"cleanup: {type(error).__name__}: {error}")
        try:
            if self.connection is not None:
                self.connection.close()
        except libvirt.libvirtError as error:
            self.outcome.log.append(f"cleanup: {type(error).__name__}: {error}")

    def execute(self) -> None:
        spec = self.spec
        runnable = spec.kind in (SnippetKind.SHELL, SnippetKind.VIRSH, SnippetKind.CONSOLE)
        if spec.not_verifiable and runnable and not spec.steps:
            self.outcome.log.append(f"not run: {spec.not_verifiable}")
            return
        if spec.steps:
            self.setup()
            self.procedure()
        elif spec.kind in (SnippetKind.XML_FRAGMENT, SnippetKind.DOMAIN_XML):
            self.standalone_xml()  # runs the setup with its schema layer, in one exec
        elif spec.kind is SnippetKind.CONSOLE:
            self.setup()
            self.console()
        else:
            self.setup()
            self.step(Step(snippet=spec.snippet))

    def setup(self, files: Sequence[File] = (), then: Sequence[Command] = ()) -> list[Ran]:
        """The stated setup commands, each recorded, then ``then`` (if setup succeeded), in one
        exec with ``files``; returns what ``then`` gave."""
        commands = [Command(tuple(arg.replace(PLACEHOLDER, self.guest) for arg in item.run))
                    for item in self.spec.setup]
        if not commands and not then and not files:
            return []
        ran, _ = self.batch(files, [*commands, *then])
        for item, result in zip(self.spec.setup, ran, strict=False):
            argv = shlex.join(result.command.argv)
            if result.returncode != 0:
                self.outcome.record("setup", LayerStatus.FAILED, f"{argv} exited "
                                    f"{result.returncode}: {result.stderr.strip()}")
                raise Aborted
            self.outcome.record("setup", LayerStatus.PASSED, f"{argv} ({item.why})")
        return ran[len(commands):]

    def standalone_xml(self) -> None:
        """Schema layer, then semantic layer (which defines the guest), then the effects.

        The schema exec runs alongside the define, the guest's start and the control guest's
        (each mostly waiting); the layers are recorded in order, and the effects observed only
        if both passed, as if they had run one after the other.
        """
        key = self.spec.snippet
        try:
            if self.spec.kind is SnippetKind.XML_FRAGMENT:
                assert self.spec.apply is not None
                xml = apply_fragment(self.base_xml(self.guest), self.check.text(key),
                                     self.spec.apply, key)
            else:
                root = parse(self.check.text(key), key)
                name = root.find("name")
                if name is None:
                    raise XmlError(f"{key}: a domain needs a <name>")
                name.text = self.guest  # unique per check, so checks can run in parallel
                xml = serialize(root)
        except XmlError as error:
            self.outcome.record("schema", LayerStatus.FAILED, f"not well-formed or not applicable:"
                                f" {error}")
            raise Aborted from None
        except UnicodeDecodeError as error:  # an XML problem like any other, not the harness's
            self.outcome.record("schema", LayerStatus.FAILED, f"{key}: not UTF-8 text (byte "
                                f"{error.start})")
            raise Aborted from None
        from relnotes.verify.container import adapt_to_accelerator

        xml = adapt_to_accelerator(xml, self.daemon.domain_type)
        path = self.next_path("domain.xml")
        files, schema = [File(path, xml.encode())], [schema_command(path)]
        observing = bool(self.spec.effects) and not self.spec.not_verifiable
        if self.spec.setup:  # the guests need what the setup makes: it goes first
            validated: Future[list[Ran]] = Future()
            validated.set_result(self.setup(files, then=schema))
        else:
            validated = self.background(partial(self.setup, files, then=schema))
        if observing:
            self.begin_controls()
        semantic, domain = semantic_layer(self.conn, xml)
        started: libvirt.libvirtError | None = None
        if domain is not None and observing and any(
                e.guest in (None, self.guest) for e in self.spec.effects):
            try:
                domain.create()
                self.outcome.log.append(f"harness: started {self.guest} to observe it")
            except libvirt.libvirtError as error:
                started = error  # reported after the layers, where it would have happened
        [ran] = validated.result()
        layer = schema_layer(ran)
        self.outcome.record("schema", layer.status, f"{key}: {layer.detail}")
        self.outcome.record("semantic", semantic.status, f"{key}: {semantic.detail}")
        if domain is None or layer.status is LayerStatus.FAILED:
            raise Aborted
        if started is not None:
            raise started
        if self.spec.not_verifiable:
            self.outcome.log.append(f"effect not observed: {self.spec.not_verifiable}")
            return
        self.effects()

    def procedure(self) -> None:
        try:
            self.conn.defineXML(self.base_xml(self.guest))
        except libvirt.libvirtError as error:
            self.outcome.record("setup", LayerStatus.FAILED, f"base guest refused: {error}")
            raise Aborted from None
        if self.spec.effects:
            self.begin_controls()  # the control guest starts while the steps run
        for step in self.spec.steps:
            if step.action is StepAction.START:
                self.flush()
                self.conn.lookupByName(self.guest).create()
                self.outcome.log.append(f"harness: started {self.guest}")
            elif step.action is StepAction.DESTROY:
                self.conn.lookupByName(self.guest).destroy()
            else:
                self.step(step)
        self.flush()
        for name in sorted({self.guest, *(e.guest for e in self.spec.effects if e.guest)}):
            domain = self.conn.lookupByName(name)
            xml = domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE)
            layer, _ = semantic_layer(self.conn, xml)
            self.outcome.record("semantic", layer.status, f"{name} as the steps left it: "
                                f"{layer.detail}")
        if self.outcome.failure():
            raise Aborted
        if self.spec.effects:
            self.effects()
