"""Running one check against a daemon: setup, the published steps, layers, effect and control."""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass, field
from datetime import datetime

import libvirt

from relnotes.ledger import Layer, LayerStatus, Status, now
from relnotes.spec import Edit, SnippetKind, Step, StepAction
from relnotes.verify.daemon import Daemon
from relnotes.verify.layers import combine, schema_layer, semantic_layer
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

_EDITOR = """#!/bin/sh
# Scripted editor (EDITOR for virsh edit, vi for files): applies the edit stated in the
# check spec, after making sure it was offered exactly the text the edit was prepared from.
[ "$#" -eq 1 ] || {{ echo "editor: expected one file, got: $*" >&2; exit 2; }}
{file_check}
cmp -s {offered} "$1" || {{ echo "editor: offered text differs from what the edit expects:" >&2;
  diff {offered} "$1" >&2; exit 1; }}
cat {new} > "$1"
"""


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
    """One check on one daemon, with a unique guest name so checks can run side by side."""

    def __init__(self, check: Check, daemon: Daemon, target: str, guest: str):
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

    # -- plumbing -------------------------------------------------------------------------

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the check's {self.spec.timeout:g} s timeout expired")
        return left

    def run_in_container(self, argv: list[str], *, env: dict[str, str] | None = None,
                         input: bytes | None = None) -> tuple[int, str, str]:
        result = self.daemon.exec(argv, input=input, env=env, timeout=self.remaining())
        out = result.stdout.decode(errors="replace")
        err = result.stderr.decode(errors="replace")
        self.outcome.log.append(f"$ {shlex.join(argv)}  # exit {result.returncode}")
        self.outcome.log.extend(f"  {line}" for line in (out + err).splitlines()[-30:])
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

    def domain_names(self) -> set[str]:
        names = {self.guest, self.guest + "-ctl"}
        names.update(e.guest for e in self.spec.effects if e.guest)
        for step in self.spec.steps:
            if step.edit:
                names.update(v for k, v in step.edit.set_text.items() if k == "/domain/name")
        return names

    def remove_domains(self) -> None:
        for name in self.domain_names():
            try:
                domain = self.conn.lookupByName(name)
            except libvirt.libvirtError:
                continue
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
            self.remove_domains()
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
        try:
            if self.connection is not None:
                self.remove_domains()
                self.connection.close()
            self.daemon.exec(["rm", "-rf", self.work], timeout=30)
        except Exception as error:
            self.outcome.log.append(f"cleanup: {type(error).__name__}: {error}")

    def execute(self) -> None:
        spec = self.spec
        runnable = spec.kind in (SnippetKind.SHELL, SnippetKind.VIRSH, SnippetKind.CONSOLE)
        if spec.not_verifiable and runnable and not spec.steps:
            self.outcome.log.append(f"not run: {spec.not_verifiable}")
            return
        self.setup()
        if spec.steps:
            self.procedure()
        elif spec.kind in (SnippetKind.XML_FRAGMENT, SnippetKind.DOMAIN_XML):
            self.standalone_xml()
        elif spec.kind is SnippetKind.CONSOLE:
            self.console()
        else:
            self.step(Step(snippet=spec.snippet))

    def setup(self) -> None:
        for item in self.spec.setup:
            argv = [arg.replace(PLACEHOLDER, self.guest) for arg in item.run]
            code, _, err = self.run_in_container(argv)
            if code != 0:
                self.outcome.record("setup", LayerStatus.FAILED,
                                    f"{shlex.join(argv)} exited {code}: {err.strip()}")
                raise Aborted
            self.outcome.record("setup", LayerStatus.PASSED, f"{shlex.join(argv)} ({item.why})")

    def base_xml(self, name: str) -> str:
        from relnotes.verify.container import adapt_to_accelerator

        text = (self.check.snippets_dir / self.spec.guest).read_text(encoding="utf-8")
        return adapt_to_accelerator(text.replace(PLACEHOLDER, name), self.daemon.domain_type)

    def validate(self, xml: str, origin: str) -> libvirt.virDomain:
        """Schema layer, then semantic layer (which defines the guest)."""
        layer = schema_layer(self.daemon, xml, self.next_path("domain.xml"), self.remaining())
        self.outcome.record("schema", layer.status, f"{origin}: {layer.detail}")
        semantic, domain = semantic_layer(self.conn, xml)
        self.outcome.record("semantic", semantic.status, f"{origin}: {semantic.detail}")
        if domain is None or layer.status is LayerStatus.FAILED:
            raise Aborted
        return domain

    def standalone_xml(self) -> None:
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

        self.validate(adapt_to_accelerator(xml, self.daemon.domain_type), key)
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
        for step in self.spec.steps:
            if step.action is StepAction.START:
                self.conn.lookupByName(self.guest).create()
                self.outcome.log.append(f"harness: started {self.guest}")
            elif step.action is StepAction.DESTROY:
                self.conn.lookupByName(self.guest).destroy()
            else:
                self.step(step)
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
            self.daemon.write_file(target, data, 0o644)
            self.outcome.log.append(f"{key}: installed as written at {step.install}")
            self.outcome.steps[key] = StepResult(Status.PASSED)
            return
        env = {"GUEST": self.guest, "PATH": f"{self.work}/bin:{PATH}"}
        edited: tuple[str, str] | None = None
        if step.edit:
            editor_env, edited = self.prepare_editor(step.edit, key)
            env.update(editor_env)
        script = data.decode()
        if member.kind is SnippetKind.VIRSH:
            script = _GUEST_WORD.sub(self.guest, script)
        path = self.next_path(key.rsplit("/", 1)[-1])
        self.daemon.write_file(path, script.encode())
        code, out, err = self.run_in_container(
            ["sh", "-c", 'cd "$1" && exec sh -e "$2"', "sh", self.work, path], env=env)
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
        now_defined = self.read(["virsh", "dumpxml", "--inactive", "--security-info",
                                 self.guest]).rstrip("\n") + "\n"
        if now_defined != offered:
            return
        semantic, _ = semantic_layer(self.conn, new)
        said = " | ".join(line for line in said.strip().splitlines() if line.strip())
        reason = (f"{key}: virsh edit exited 0 but left the definition unchanged (virsh said: "
                  f"{said}); defining the edited XML directly: {semantic.detail}")
        self.outcome.steps[key] = StepResult(Status.FAILED, reason)
        self.outcome.record("run", LayerStatus.FAILED, reason)
        raise Aborted

    def prepare_editor(self, edit: Edit, key: str) -> tuple[dict[str, str], tuple[str, str]]:
        """Install the scripted editor for ``edit``; its output also goes through the schema layer."""
        if edit.file is None:
            # virsh prints one newline more than the file virsh edit hands the editor
            offered = self.read(["virsh", "dumpxml", "--inactive", "--security-info",
                                 self.guest]).rstrip("\n") + "\n"
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
        offered_path, new_path = self.next_path("offered.xml"), self.next_path("edited.xml")
        self.daemon.write_file(offered_path, offered.encode())
        self.daemon.write_file(new_path, new.encode())
        layer = schema_layer(self.daemon, new, new_path, self.remaining())
        self.outcome.record("schema", layer.status, f"XML after the edit: {layer.detail}")
        if layer.status is LayerStatus.FAILED:
            raise Aborted
        file_check = (f'[ "$1" = {shlex.quote(edit.file)} ] || {{ echo "editor: expected '
                      f'{edit.file}, got $1" >&2; exit 2; }}') if edit.file else ""
        editor = self.next_path("editor")
        self.daemon.write_file(editor, _EDITOR.format(
            file_check=file_check, offered=offered_path, new=new_path).encode(), 0o755)
        self.daemon.exec(["sh", "-c", 'mkdir -p "$(dirname "$1")" && ln -sf "$0" "$1"', editor,
                          f"{self.work}/bin/vi"], timeout=self.remaining())
        return {"EDITOR": editor, "VISUAL": editor}, (offered, new)

    def console(self) -> None:
        key = self.spec.snippet
        exchanges = parse_transcript(self.check.text(key))
        if not exchanges:
            self.outcome.record("run", LayerStatus.FAILED,
                                f"{key}: no '$ ' command line, so nothing can be run")
            raise Aborted
        for exchange in exchanges:
            command = _GUEST_WORD.sub(self.guest, exchange.command)
            _, out, _ = self.run_in_container(["sh", "-c", "exec 2>&1\n" + command],
                                              env={"GUEST": self.guest})
            if not matches(exchange.expected, out):
                self.outcome.record("run", LayerStatus.FAILED,
                                    f"{key}:{exchange.line}: output of `{exchange.command}` "
                                    f"differs\n{mismatch(exchange.expected, out, key)}")
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
        control = self.guest + "-ctl"
        self.conn.defineXML(self.base_xml(control))
        for effect in controls:
            assert effect.control is not None
            value = observe(self.context(control), effect)
            problems = unmet(effect.control, value)
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            detail = (f"without the change, {describe(effect)} = {value!r}"
                      + (f": {'; '.join(problems)}" if problems else ""))
            self.outcome.record("control", status, detail)
