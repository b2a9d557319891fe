"""Turning a check's outcome into one ledger record per snippet it covers.

Never pass by default: a snippet passes only when an effect was observed on the changed guest
and not on its control (the same base guest without the snippet). A check with no effect to
observe is "unchecked", one whose effects hold on the control too is "indistinct", one whose
effects all lack a control "uncontrolled", one whose control is not what the spec says it is
"baseline-changed", and a procedure with a published step that did not run is not green.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from relnotes.core.environment import Environment
from relnotes.core.ledger import LayerStatus, Record, Status
from relnotes.core.spec import Declared, Spec
from relnotes.engine.procedure import Outcome, StepResult
from relnotes.engine.procedure._evidence import judge


@dataclass(frozen=True)
class Run:
    """The run a record comes from: its number and id, and the machine that ran it (a
    ledger orders one machine's runs by their start on that machine's clock)."""

    sequence: int = 0
    id: str = ""
    machine: str = ""


def check_verdict(outcome: Outcome) -> StepResult:
    """The driver's result, from its layers, its evidence and its declarations."""
    spec = outcome.check.driver
    declaration = outcome.declared(spec)
    key, declared = (declaration.key, declaration.reason) if declaration else ("", "")
    if outcome.failures:
        if declaration is not None:
            # A declared failure must be the only failure: any other one is a plain failure,
            # and so is one whose text is only the harness's (never the product's words).
            other = [(layer, detail) for layer, detail in outcome.failures
                     if not outcome.known(declaration, layer, detail)]
            if other:
                layer, detail = other[0]
                why = ("and it did, but this is another failure"
                       if len(other) < len(outcome.failures)
                       else _unlike(declaration, layer, outcome.said.get((layer, detail))))
                return StepResult(Status.FAILED,
                                  f"{layer}: {detail} (declared to fail on {key}, {why})")
            layer, detail = outcome.failures[0]
            return StepResult(Status.EXPECTED_FAILURE, declared,
                              f"in the {layer} layer: {_first(detail)}")
        layer, detail = outcome.failures[0]
        return StepResult(Status.FAILED, f"{layer}: {detail}")
    if spec.not_verifiable:
        return StepResult(Status.NOT_VERIFIABLE, spec.not_verifiable)
    skipped = [(key, step) for key, step in outcome.steps.items()
               if step.status is Status.NOT_VERIFIABLE]
    if skipped:
        # A procedure is green only if every published step ran.
        key, step = skipped[0]
        return StepResult(Status.NOT_VERIFIABLE, f"the published step {key} was not run "
                          f"({step.reason}), so the procedure as published was not verified")
    if declared:
        return StepResult(Status.FAILED, f"declared to fail on {key} ({declared}) but every "
                          "layer passed; remove the expected_failure declaration")
    if not spec.effects:
        ran = outcome.layers.get("run") or outcome.layers.get("semantic")
        if ran is None or ran.status is not LayerStatus.PASSED:
            return StepResult(Status.FAILED, "nothing was observed, so nothing can pass")
        return StepResult(Status.UNCHECKED, "it ran without error; the check states no effect "
                          "to observe", ran.detail)
    if outcome.baseline:
        return StepResult(Status.BASELINE_CHANGED, "the baseline changed: "
                          + "; ".join(outcome.baseline), None)
    judgement = judge(spec.effects, outcome.evidence)
    if not outcome.evidence:
        return StepResult(Status.FAILED, "nothing was observed, so nothing can pass")
    return StepResult(judgement.status, judgement.reason, judgement.observation)


def _unlike(declaration: Declared, layer: str, said: str | None) -> str:
    if layer != declaration.layer:
        return (f"but not like this: it is declared in the {declaration.layer} layer, and "
                f"this failure is in the {layer} layer")
    if said is None:
        return ("but not like this: the harness reported it, and a declared failure is "
                "matched only against what libvirt, QEMU or the published command printed")
    return f"but not like this: the failure lacks {declaration.contains!r}"


_WARNING = re.compile(r"(^|: )warning: ", re.IGNORECASE)


def _first(detail: str) -> str:
    """The line that says what went wrong: QEMU often prints warnings before its error."""
    lines = [line.strip() for line in detail.strip().splitlines() if line.strip()]
    if not lines:
        return detail
    return next((line for line in lines if not _WARNING.search(line)), lines[0])


def member_result(outcome: Outcome, member: Spec, verdict: StepResult) -> StepResult:
    if member is outcome.check.driver:
        return verdict  # the driver's own step failing is the check failing
    step = outcome.steps.get(member.snippet)
    if step is not None and step.status is not Status.PASSED:
        return step
    declared = outcome.declared(member)
    if step is not None and declared:
        return StepResult(Status.FAILED, f"declared to fail on {declared.key} ({declared.reason}) "
                          "but it ran without error; remove the expected_failure declaration")
    if member.not_verifiable and step is None:
        return StepResult(Status.NOT_VERIFIABLE, member.not_verifiable)
    return verdict


def adaptation(outcome: Outcome, member: Spec) -> str | None:
    """What the check changed from the published text: the member's own adaptation, and for
    the driver those of every snippet its procedure applies."""
    used = outcome.check.uses if member is outcome.check.driver else (member,)
    found = [text for spec in used for text in (
        spec.adaptation, spec.apply.adaptation if spec.apply else None) if text]
    return " ".join(dict.fromkeys(found)) or None


def records(outcome: Outcome, environment: Environment, run: Run = Run()) -> list[Record]:
    verdict = check_verdict(outcome)
    inputs = outcome.check.inputs(environment.target)
    log = "\n".join(outcome.log)
    result = []
    for member in outcome.check.members:
        own = member_result(outcome, member, verdict)
        result.append(Record(
            snippet=member.snippet, sha256=outcome.check.sha256(member.snippet),
            inputs_sha256=outcome.check.inputs_sha256(environment.target), result=own.status,
            reason=own.reason, layers=dict(outcome.layers), environment=environment,
            verified_at=outcome.started, duration=outcome.duration, log=log,
            check=outcome.check.key, observation=own.observation,
            summary=member.summary or outcome.check.driver.summary,
            adaptation=adaptation(outcome, member), inputs=inputs,
            run_sequence=run.sequence, run_id=run.id, machine=run.machine,
            observations=tuple(item.as_observation() for item in outcome.evidence),
            symptom=outcome.symptom,
        ))
    return result
