"""Running one check against a daemon: setup, the published steps, layers, effect and control."""

from __future__ import annotations

import re
import shlex
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import libvirt

from relnotes.ledger import Layer, LayerStatus, Status, now
from relnotes.spec import Edit, Effect, SnippetKind, Step, StepAction
from relnotes.verify.batch import Command, File, Ran, run_batch
from relnotes.verify.controls import Controls, Observed, group_of, key_of
from relnotes.verify.daemon import Daemon
from relnotes.verify.editor import Editor, scripted_editor
from relnotes.verify.layers import combine, schema_command, schema_layer, semantic_layer
from relnotes.verify.plan import Check
from relnotes.verify.probes import ProbeContext, ProbeError, describe, observe, unmet
from relnotes.verify.transcript import matches, mismatch, parse_transcript
from relnotes.verify.xmledit import (
    XmlError,
    apply_edit,
    apply_fragment,
    parse,
    same_xml,
    serialize,
)

WORK_ROOT = "/run/relnotes"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PLACEHOLDER = "@GUEST@"  # in base guests and setup commands: the check's unique guest name
# A bare GUEST in published text is the reader's placeholder; $GUEST is a shell variable,
# which the environment supplies, so that text runs exactly as published.
_GUEST_WORD = re.compile(r"(?<![\w$])GUEST(?!\w)")
_UNDEFINE = (libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
             | libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
# what `virsh dumpxml --inactive --security-info` asks for, and `virsh edit` offers the editor
_EDITABLE = libvirt.VIR_DOMAIN_XML_INACTIVE | libvirt.VIR_DOMAIN_XML_SECURE
T = TypeVar("T")


@dataclass(frozen=True)
class StepResult:
    status: Status
    reason: str | None = None


@dataclass
class Outcome:
    """What running a check observed, before it is turned into per-snippet records."""

    check: Check
    target: str
    started: datetime
    layers: dict[str, Layer] = field(default_factory=dict)
    steps: dict[str, StepResult] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    duration: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def record(self, name: str, status: LayerStatus, detail: str) -> None:
        self.layers[name] = combine(self.layers.get(name), Layer(status, detail))
        self.log.append(f"[{name}] {status.value}: {detail}")
        if status is LayerStatus.FAILED:
            self.failures.append((name, detail))

    def failure(self) -> tuple[str, str] | None:
        """The first failure: later ones are usually its consequences."""
        return self.failures[0] if self.failures else None


class Aborted(Exception):
    """A layer failed; later steps cannot mean anything (the failure is already recorded)."""


class Procedure:
    """One check on one daemon, with a unique guest name so checks can run side by side.

    ``controls`` is the run's memo of control observations (shared by the checks of one run on
    one daemon); without it the check observes its own controls.
    """

    def __init__(self, check: Check, daemon: Daemon, target: str, guest: str, *,
                 controls: Controls | None = None):
        self.check = check
        self.spec = check.driver
        self.daemon = daemon
        self.guest = guest
        self.work = f"{WORK_ROOT}/{guest}"
        self.outcome = Outcome(check, target, now())
        self.deadline = time.monotonic() + self.spec.timeout
        self.connection: libvirt.virConnect | None = None
        self.specs = {used.snippet: used for used in check.uses}
        self.counter = 0
        self.controls = controls if controls is not None else Controls()
        self.pending: list[File] = []  # written with the next command the check runs
        self.jobs: list[Future[Any]] = []  # work running alongside the check's own
        self.control_job: Future[None] | None = None
        self._group: str | None = None

    # -- plumbing -------------------------------------------------------------------------

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

    def take_pending(self) -> list[File]:
        files, self.pending = self.pending, []
        return files

    def flush(self) -> None:
        """Write the pending files now: what comes next may need them (e.g. starting a guest)."""
        if self.pending:
            self.batch(self.take_pending())

    def run_in_container(self, argv: list[str]) -> tuple[int, str, str]:
        result = self.daemon.exec(argv, timeout=self.remaining())
        out = result.stdout.decode(errors="replace")
        err = result.stderr.decode(errors="replace")
        self.log_ran(Ran(Command(tuple(argv)), result.returncode, out, err))
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

    # -- the run --------------------------------------------------------------------------

    def run(self) -> Outcome:
        start = time.monotonic()
        try:
            self.connection = libvirt.open(self.daemon.uri)
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
            self.outcome.record("harness", LayerStatus.FAILED, detail)
        finally:
            self.cleanup()
            self.outcome.duration = time.monotonic() - start
        return self.outcome

    def cleanup(self) -> None:
        """Remove the guests (side by side: each destroy waits ~0.2 s for QEMU to go) and the
        work directory, once the work running alongside the check has finished."""
        wait(self.jobs)  # their failures were reported where they mattered
        tasks: list[Callable[[], object]] = [
            partial(self.daemon.exec, ["rm", "-rf", self.work], timeout=30)]
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

    def base_xml(self, name: str) -> str:
        from relnotes.verify.container import adapt_to_accelerator

        text = (self.check.snippets_dir / self.spec.guest).read_text(encoding="utf-8")
        return adapt_to_accelerator(text.replace(PLACEHOLDER, name), self.daemon.domain_type)

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

    # -- steps ----------------------------------------------------------------------------

    def step(self, step: Step) -> None:
        assert step.snippet is not None
        key = step.snippet
        member = self.specs[key]
        if member.not_verifiable:
            self.outcome.steps[key] = StepResult(Status.NOT_VERIFIABLE, member.not_verifiable)
            self.outcome.log.append(f"{key}: not run: {member.not_verifiable}")
            return
        data = self.check.file(key).read_bytes()
        if step.install:
            # a relative path is beside the commands, which run in the work directory
            target = step.install if step.install.startswith("/") else f"{self.work}/{step.install}"
            self.pending.append(File(target, data, 0o644))
            self.outcome.log.append(f"{key}: installed as written at {step.install} (with the "
                                    "next command run in the container)")
            self.outcome.steps[key] = StepResult(Status.PASSED)
            return
        env = {"GUEST": self.guest, "PATH": f"{self.work}/bin:{PATH}"}
        files, validation = self.take_pending(), []
        edited: tuple[str, str] | None = None
        if step.edit:
            editor, edited = self.prepare_editor(step.edit, key)
            env.update(editor.env)
            files += editor.files
            validation.append(schema_command(editor.edited_path))  # before the step runs
        script = data.decode()
        if member.kind is SnippetKind.VIRSH:
            script = _GUEST_WORD.sub(self.guest, script)
        path = self.next_path(key.rsplit("/", 1)[-1])
        files.append(File(path, script.encode()))
        ran, final = self.batch(files, validation, Command(("sh", "-e", path), env, self.work))
        if validation:
            layer = schema_layer(ran[0])
            self.outcome.record("schema", layer.status, f"XML after the edit: {layer.detail}")
            if layer.status is LayerStatus.FAILED:
                raise Aborted
        assert final is not None
        code, out, err = final.returncode, final.stdout, final.stderr
        if code != step.exit_status:
            tail = " | ".join((err or out).strip().splitlines()[-4:])
            reason = f"{key} exited {code} (expected {step.exit_status}): {tail}"
            declared = member.expected_failure.get(self.outcome.target)
            must_contain = member.failure_contains.get(self.outcome.target, "")
            if member is not self.spec and declared and must_contain in reason:
                self.outcome.steps[key] = StepResult(Status.EXPECTED_FAILURE,
                                                     f"{declared} (observed: {reason})")
                self.outcome.log.append(f"{key}: expected failure: {reason}")
                return
            self.outcome.steps[key] = StepResult(Status.FAILED, reason)
            self.outcome.record("run", LayerStatus.FAILED, reason)
            raise Aborted
        if member.expect_output is not None and not matches(member.expect_output, out + err):
            reason = f"{key}: output differs\n{mismatch(member.expect_output, out + err, key)}"
            self.outcome.record("run", LayerStatus.FAILED, reason)
            raise Aborted
        if step.edit and step.edit.file is None and edited is not None:
            self.confirm_edit(key, edited, out + err)
        self.outcome.steps[key] = StepResult(Status.PASSED)
        self.outcome.record("run", LayerStatus.PASSED, f"{key} ran as written (exit {code})")

    def confirm_edit(self, key: str, edited: tuple[str, str], said: str) -> None:
        """virsh edit exits 0 even when its define fails without a terminal to ask "Try
        again?" (seen on libvirt 9.0 and 11.3), so look at the definition itself."""
        offered, new = edited
        if same_xml(offered, new):
            return  # an edit that changes nothing leaves nothing to confirm
        if self.editable_xml(self.guest) != offered:
            return
        semantic, _ = semantic_layer(self.conn, new)
        said = " | ".join(line for line in said.strip().splitlines() if line.strip())
        reason = (f"{key}: virsh edit exited 0 but left the definition unchanged (virsh said: "
                  f"{said}); defining the edited XML directly: {semantic.detail}")
        self.outcome.steps[key] = StepResult(Status.FAILED, reason)
        self.outcome.record("run", LayerStatus.FAILED, reason)
        raise Aborted

    def prepare_editor(self, edit: Edit, key: str) -> tuple[Editor, tuple[str, str]]:
        """The scripted editor for ``edit`` and the (offered, edited) texts; the step runs the
        edited XML through the schema layer first."""
        if edit.file is None:
            offered = self.editable_xml(self.guest)
        else:
            offered = self.read(["cat", edit.offered or edit.file])
        texts = {k: self.check.text(k) for k in edit.snippets()}
        fragments = {k: self.specs[k].apply for k in edit.snippets() if self.specs[k].apply}
        try:
            new = apply_edit(offered, edit, texts, fragments, key)  # type: ignore[arg-type]
        except XmlError as error:
            self.outcome.record("run", LayerStatus.FAILED, f"the stated edit does not apply: "
                                f"{error}")
            raise Aborted from None
        return scripted_editor(edit, offered, new, self.next_path, f"{self.work}/bin"), \
            (offered, new)

    def console(self) -> None:
        key = self.spec.snippet
        exchanges = parse_transcript(self.check.text(key))
        if not exchanges:
            self.outcome.record("run", LayerStatus.FAILED,
                                f"{key}: no '$ ' command line, so nothing can be run")
            raise Aborted
        for exchange in exchanges:
            command = _GUEST_WORD.sub(self.guest, exchange.command)
            _, final = self.batch(self.take_pending(), final=Command(
                ("sh", "-c", "exec 2>&1\n" + command), {"GUEST": self.guest}))
            assert final is not None
            if not matches(exchange.expected, final.stdout):
                self.outcome.record("run", LayerStatus.FAILED,
                                    f"{key}:{exchange.line}: output of `{exchange.command}` "
                                    f"differs\n{mismatch(exchange.expected, final.stdout, key)}")
                raise Aborted
            self.outcome.record("run", LayerStatus.PASSED,
                                f"{key}:{exchange.line}: output matches")

    # -- effect and control ---------------------------------------------------------------

    def context(self, name: str) -> ProbeContext:
        domain = self.conn.lookupByName(name)
        if not domain.isActive():
            domain.create()
            self.outcome.log.append(f"harness: started {name} to observe it")
        try:
            main = self.conn.lookupByName(self.guest)
        except libvirt.libvirtError:
            main = None
        return ProbeContext(domain, main, self.read)

    def effects(self) -> None:
        for effect in self.spec.effects:
            self.remaining()
            ctx = self.context(effect.guest or self.guest)
            value = observe(ctx, effect)
            problems = unmet(effect.expect, value)
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            detail = f"{describe(effect)} = {value!r}" + (f": {'; '.join(problems)}"
                                                         if problems else "")
            self.outcome.record("effect", status, detail)
        controls = [effect for effect in self.spec.effects if effect.control]
        if not controls or self.outcome.failure():
            return
        for effect in controls:
            assert effect.control is not None
            key = key_of(self.group(), effect, self.guest)
            observed = self.control(key, effect)
            if observed.error is not None:
                raise ProbeError(observed.error)
            problems = unmet(effect.control, observed.value)
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            users = self.controls.users(key)
            detail = (f"without the change, {describe(effect)} = {observed.value!r}"
                      + (f": {'; '.join(problems)}" if problems else "")
                      + f" (observed on unchanged base guest {observed.guest} in this run"
                      + ("" if observed.by == self.check.key else f" by {observed.by}")
                      + (f", shared by {users} checks)" if users > 1 else ")"))
            self.outcome.record("control", status, detail)

    def group(self) -> str:
        if self._group is None:
            self._group = group_of(self.check, self.controls.environment)
        return self._group

    def begin_controls(self) -> None:
        """Claim the check's control observations; those nobody else is making are made now,
        on this check's control guest, alongside the check's own work."""
        if self.spec.expected_failure.get(self.outcome.target):
            return  # it is expected to stop before its effects: observe only if it gets there
        group = self.group()
        wanted = {key_of(group, e, self.guest): e for e in self.spec.effects if e.control}
        mine = self.controls.claim(group, wanted, self.check.key) if wanted else {}
        if mine:
            self.control_job = self.background(partial(self.observe_controls, mine, set(wanted)))

    def control(self, key: str, effect: Effect) -> Observed:
        """The observation ``key`` of this run: made by this check or another, waiting for it
        if it is being made."""
        if self.control_job is not None:
            self.control_job.result()  # ours first; re-raises whatever stopped them
        while True:
            observed = self.controls.wait(key, self.remaining())
            if observed is not None:
                return observed
            # nobody made it (never claimed, or its maker stopped first): make it here
            mine = self.controls.claim(self.group(), {key: effect}, self.check.key)
            if mine:
                self.observe_controls(mine, {key})

    def observe_controls(self, mine: dict[str, Effect], own: set[str]) -> None:
        """Start this check's control guest (the unchanged base guest) and make the claimed
        observations; each is resolved, or released for a check that wants it to make."""
        name = self.guest + "-ctl"
        try:
            try:
                self.conn.lookupByName(name)  # started earlier in this check
            except libvirt.libvirtError:
                self.conn.defineXML(self.base_xml(name))
            ctx = self.context(name)
            for key, effect in mine.items():
                self.remaining()
                try:
                    observed = Observed(observe(ctx, effect), None, name, self.check.key)
                except ProbeError as error:
                    observed = Observed(None, str(error), name, self.check.key)
                except Exception as error:
                    if key in own:
                        raise
                    self.outcome.log.append(f"control {describe(effect)} for another check not"
                                            f" observed: {type(error).__name__}: {error}")
                    continue
                self.controls.resolve(key, observed)
                self.outcome.log.append(f"control: {describe(effect)} = {observed.value!r} on "
                                        f"{name}" + (f" ({observed.error})" if observed.error
                                                     else ""))
        finally:
            self.controls.release(mine)
