"""Running a check's published steps as written: scripts, installed files, edits, transcripts."""

from __future__ import annotations

import re

from relnotes.core.ledger import LayerStatus, Status
from relnotes.core.spec import Edit, SnippetKind, Step
from relnotes.engine.batch import File
from relnotes.engine.editor import Editor, scripted_editor
from relnotes.engine.layers import schema_command, schema_layer, semantic_layer
from relnotes.engine.probes import ProbeError
from relnotes.engine.transcript import matches, mismatch, parse_transcript
from relnotes.engine.xmledit import XmlError, apply_edit, same_xml

from ._outcome import Aborted, StepResult
from ._session import Session

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# A bare GUEST in published text is the reader's placeholder; $GUEST is a shell variable,
# which the environment supplies, so that text runs exactly as published.
_GUEST_WORD = re.compile(r"(?<![\w$])GUEST(?!\w)")


class Steps:
    """The published steps of a check, each run as the reader would run it, in ``session``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def step(self, step: Step) -> None:
        assert step.snippet is not None
        key = step.snippet
        member = self.session.specs[key]
        if member.not_verifiable:
            self.session.outcome.steps[key] = StepResult(Status.NOT_VERIFIABLE, member.not_verifiable)
            self.session.outcome.log.append(f"{key}: not run: {member.not_verifiable}")
            return
        if self.session.check.omitted(key):  # a mutant: the procedure without this step
            self.session.outcome.steps[key] = StepResult(Status.PASSED)
            self.session.outcome.log.append(f"{key}: left out (mutant)")
            return
        data = self.session.check.data(key)
        if step.install:
            # a relative path is beside the commands, which run in the work directory
            target = step.install if step.install.startswith("/") else f"{self.session.work}/{step.install}"
            self.session.pending.append(File(target, data, 0o644))
            self.session.installed.append(target)
            self.session.outcome.log.append(f"{key}: installed as written at {step.install} (with the "
                                    "next command run in the container)")
            self.session.outcome.steps[key] = StepResult(Status.PASSED)
            return
        env = {"GUEST": self.session.guest, "PATH": f"{self.session.work}/bin:{PATH}"}
        files, validation = self.session.take_pending(), []
        edited: tuple[str, str] | None = None
        if step.edit:
            editor, edited = self.prepare_editor(step.edit, key)
            env.update(editor.env)
            files += editor.files
            validation.append(schema_command(editor.edited_path))  # before the step runs
        script = data.decode()
        if member.kind is SnippetKind.VIRSH:
            script = _GUEST_WORD.sub(self.session.guest, script)
        path = self.session.next_path(key.rsplit("/", 1)[-1])
        files.append(File(path, script.encode()))
        ran, final = self.session.batch(files, validation, self.session.published(
            ("sh", "-e", path), env, self.session.work))
        if validation:
            layer = schema_layer(ran[0])
            self.session.outcome.record("schema", layer.status, f"XML after the edit: {layer.detail}",
                                        layer.said)
            if layer.status is LayerStatus.FAILED:
                raise Aborted
        assert final is not None
        code, out, err = final.returncode, final.stdout, final.stderr
        if code != step.exit_status:
            tail = " | ".join((err or out).strip().splitlines()[-4:])
            reason = f"{key} exited {code} (expected {step.exit_status}): {tail}"
            declared = self.session.outcome.declared(member)
            if (member is not self.session.spec and declared and declared.layer == "run"
                    and declared.contains in out + err):
                self.session.outcome.steps[key] = StepResult(Status.EXPECTED_FAILURE,
                                                             declared.reason, reason)
                self.session.outcome.log.append(f"{key}: expected failure: {reason}")
                return
            self.session.outcome.steps[key] = StepResult(Status.FAILED, reason)
            self.session.outcome.record("run", LayerStatus.FAILED, reason, said=out + err)
            raise Aborted
        if step.output_contains is not None and step.output_contains not in out + err:
            # a step stated to exit non-zero must fail the stated way, not any way
            tail = " | ".join((err or out).strip().splitlines()[-4:])
            reason = (f"{key} exited {code} as stated, but its output lacks "
                      f"{step.output_contains!r}: {tail}")
            self.session.outcome.steps[key] = StepResult(Status.FAILED, reason)
            self.session.outcome.record("run", LayerStatus.FAILED, reason, said=out + err)
            raise Aborted
        if member.expect_output is not None and not matches(member.expect_output, out + err):
            reason = f"{key}: output differs\n{mismatch(member.expect_output, out + err, key)}"
            self.session.outcome.record("run", LayerStatus.FAILED, reason, said=out + err)
            raise Aborted
        if step.edit and step.edit.file is None and edited is not None:
            self.confirm_edit(key, edited, out + err)
        self.session.outcome.steps[key] = StepResult(Status.PASSED)
        self.session.outcome.record("run", LayerStatus.PASSED, f"{key} ran as written (exit {code})")

    def confirm_edit(self, key: str, edited: tuple[str, str], said: str) -> None:
        """virsh edit exits 0 even when its define fails without a terminal to ask "Try
        again?" (seen on libvirt 9.0 and 11.3), so look at the definition itself."""
        offered, new = edited
        if same_xml(offered, new):
            return  # an edit that changes nothing leaves nothing to confirm
        if self.session.editable_xml(self.session.guest) != offered:
            return
        semantic, _ = semantic_layer(self.session.conn, new)
        said = " | ".join(line for line in said.strip().splitlines() if line.strip())
        reason = (f"{key}: virsh edit exited 0 but left the definition unchanged (virsh said: "
                  f"{said}); defining the edited XML directly: {semantic.detail}")
        self.session.outcome.steps[key] = StepResult(Status.FAILED, reason)
        self.session.outcome.record("run", LayerStatus.FAILED, reason,
                                    said="\n".join(t for t in (said, semantic.said) if t))
        raise Aborted

    def prepare_editor(self, edit: Edit, key: str) -> tuple[Editor, tuple[str, str]]:
        """The scripted editor for ``edit`` and the (offered, edited) texts; the step runs the
        edited XML through the schema layer first."""
        if edit.file is None:
            offered = self.session.editable_xml(self.session.guest)
        else:
            try:
                offered = self.session.read(["cat", edit.offered or edit.file])
            except ProbeError as error:  # the steps before did not make the file it edits
                self.session.outcome.record("run", LayerStatus.FAILED, f"{key}: the file the "
                                            f"editor is given does not exist: {error}",
                                            said=str(error))
                raise Aborted from None
        texts = {k: self.session.check.text(k) for k in edit.snippets()}
        fragments = {k: self.session.specs[k].apply for k in edit.snippets() if self.session.specs[k].apply}
        try:
            new = apply_edit(offered, edit, texts, fragments, key)  # type: ignore[arg-type]
        except XmlError as error:
            self.session.outcome.record("run", LayerStatus.FAILED, f"the stated edit does not apply: "
                                f"{error}")
            raise Aborted from None
        return scripted_editor(edit, offered, new, self.session.next_path, f"{self.session.work}/bin"), \
            (offered, new)

    def console(self) -> None:
        key = self.session.spec.snippet
        exchanges = parse_transcript(self.session.check.text(key))
        if not exchanges:
            self.session.outcome.record("run", LayerStatus.FAILED,
                                f"{key}: no '$ ' command line, so nothing can be run")
            raise Aborted
        for exchange in exchanges:
            command = _GUEST_WORD.sub(self.session.guest, exchange.command)
            _, final = self.session.batch(self.session.take_pending(), final=self.session.published(
                ("sh", "-c", "exec 2>&1\n" + command), {"GUEST": self.session.guest}))
            assert final is not None
            if final.returncode != 0:  # a transcript shows a command that worked
                self.session.outcome.record("run", LayerStatus.FAILED,
                                    f"{key}:{exchange.line}: `{exchange.command}` exited "
                                    f"{final.returncode}: {final.stdout.strip()[-300:]}",
                                    said=final.stdout)
                raise Aborted
            if not matches(exchange.expected, final.stdout):
                self.session.outcome.record("run", LayerStatus.FAILED,
                                    f"{key}:{exchange.line}: output of `{exchange.command}` "
                                    f"differs\n{mismatch(exchange.expected, final.stdout, key)}",
                                    said=final.stdout)
                raise Aborted
            self.session.outcome.record("run", LayerStatus.PASSED,
                                f"{key}:{exchange.line}: output matches")
