"""Turning a check's outcome into one ledger record per snippet it covers.

Never pass by default: a snippet passes only when its effect was observed (or, for a
snippet whose check states no effect, when its stated layer ran and passed).
"""

from __future__ import annotations

import re

from relnotes.core.ledger import Environment, LayerStatus, Record, Status
from relnotes.core.spec import Spec
from relnotes.engine.procedure import Outcome, StepResult


def check_verdict(outcome: Outcome) -> StepResult:
    """The driver's result, from its layers and its declarations."""
    spec = outcome.check.driver
    declaration = outcome.declared(spec)
    key, declared, must_contain = declaration or ("", "", "")
    failure = outcome.failure()
    if failure is not None:
        layer, detail = failure
        if declared and must_contain and must_contain not in detail:
            return StepResult(Status.FAILED, f"{layer}: {detail} (declared to fail on {key}, "
                              f"but not like this: the failure lacks {must_contain!r})")
        if declared:
            return StepResult(Status.EXPECTED_FAILURE,
                              f"{declared} (observed in the {layer} layer: {_first(detail)})")
        return StepResult(Status.FAILED, f"{layer}: {detail}")
    if spec.not_verifiable:
        return StepResult(Status.NOT_VERIFIABLE, spec.not_verifiable)
    if declared:
        return StepResult(Status.FAILED, f"declared to fail on {key} ({declared}) but every "
                          "layer passed; remove the expected_failure declaration")
    observed = outcome.layers.get("effect") or (
        outcome.layers.get("run") if not spec.effects else None)
    if observed is None or observed.status is not LayerStatus.PASSED:
        return StepResult(Status.FAILED, "nothing was observed, so nothing can pass")
    return StepResult(Status.PASSED, None)


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
    if member is not outcome.check.driver and member.not_verifiable and step is None:
        return StepResult(Status.NOT_VERIFIABLE, member.not_verifiable)
    return verdict


def records(outcome: Outcome, environment: Environment) -> list[Record]:
    verdict = check_verdict(outcome)
    inputs = outcome.check.inputs_sha256()
    log = "\n".join(outcome.log)
    result = []
    for member in outcome.check.members:
        own = member_result(outcome, member, verdict)
        result.append(Record(
            snippet=member.snippet, sha256=outcome.check.sha256(member.snippet),
            inputs_sha256=inputs, result=own.status, reason=own.reason,
            layers=dict(outcome.layers), environment=environment,
            verified_at=outcome.started, duration=outcome.duration, log=log,
            check=outcome.check.key,
        ))
    return result
