"""What an effect showed: its value on the changed guest and, beside it, on its control.

An effect is evidence for the change only if its expectation holds on the changed guest and
does not hold on the control (the unchanged base guest, or the control guest the spec states).
These are plain records with explicit inputs; ``judge`` turns them into a status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from relnotes.core.ledger import Observation, Status
from relnotes.core.spec import Effect
from relnotes.engine.probes import describe, unmet


@dataclass(frozen=True)
class ControlValue:
    """The effect's probe on the control guest, in this run."""

    value: Any
    guest: str
    problems: tuple[str, ...]  # the control's own stated expectation, unmet

    def meets(self, effect: Effect) -> bool:
        """Whether the effect's expectation holds on the control too (then it shows nothing)."""
        return not unmet(effect.expect, self.value)


@dataclass(frozen=True)
class Evidence:
    """One effect as observed: on the changed guest, and on its control when it has one."""

    effect: Effect
    value: Any
    control: ControlValue | None = None

    @property
    def discriminates(self) -> bool:
        return self.control is not None and not self.control.meets(self.effect)

    def as_observation(self) -> Observation:
        """The same, as data for the ledger."""
        return Observation(
            probe=describe(self.effect), expectation=expectation_text(self.effect),
            value=short(self.value),
            control_value=short(self.control.value) if self.control is not None else None,
            control_meets=self.control.meets(self.effect) if self.control is not None else None)

    def sentence(self) -> str:
        text = f"{describe(self.effect)} = {short(self.value)}"
        if self.control is not None:
            text += f", {short(self.control.value)} on control guest {self.control.guest}"
        elif self.effect.uncontrolled:
            text += " (no control: " + self.effect.uncontrolled + ")"
        return text


def expectation_text(effect: Effect) -> str:
    """What the changed guest must show, e.g. ``contains '8086:100e', lacks '10ec:8139'``."""
    expect = effect.expect
    parts = [f"{name.replace('_', ' ')} {getattr(expect, name)!r}"
             for name in ("equals", "not_equals", "contains", "lacks")
             if getattr(expect, name) is not None]
    return ", ".join(parts)


def short(value: Any, limit: int = 160) -> str:
    """A value for a sentence a reader sees (a QEMU command line is kept in the layers)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Judgement:
    status: Status
    reason: str | None
    observation: str | None


def judge(effects: Sequence[Effect], evidence: Sequence[Evidence]) -> Judgement:
    """The status of a check whose layers all passed, from what its effects showed.

    Every effect with a control must discriminate; at least one must have a control for the
    check to be verified; effects with ``control = "none"`` only add to the observation.
    """
    observation = "; ".join(item.sentence() for item in evidence) or None
    if len(evidence) < len(effects):
        return Judgement(Status.FAILED, "not every effect was observed, so nothing can pass",
                         observation)
    same = [item for item in evidence if item.control is not None and not item.discriminates]
    if same:
        return Judgement(Status.INDISTINCT, "; ".join(
            f"{describe(item.effect)} = {item.value!r} on the changed guest, and "
            f"{item.control.value!r} on the control guest meets the same expectation"
            for item in same if item.control is not None), observation)
    if any(item.control is not None for item in evidence):
        return Judgement(Status.PASSED, None, observation)
    return Judgement(Status.UNCONTROLLED, "; ".join(
        str(item.effect.uncontrolled) for item in evidence), observation)
