"""A check's outcome: the layers, step results and log that running it recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from relnotes.core.ledger import Layer, LayerStatus, Status, SymptomObservation
from relnotes.core.plan import Check
from relnotes.core.spec import Declared, Spec, declared_failure
from relnotes.engine.layers import combine

from ._evidence import Evidence


@dataclass(frozen=True)
class StepResult:
    status: Status
    reason: str | None = None
    observation: str | None = None


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
    # (layer, detail) of a failure -> what the product printed for it
    said: dict[tuple[str, str], str] = field(default_factory=dict)
    accelerator: str = ""  # "kvm" or "tcg": failures may be declared for one
    evidence: list[Evidence] = field(default_factory=list)  # one per effect observed
    # controls whose own expectation failed: the unchanged guest is not what the spec says
    baseline: list[str] = field(default_factory=list)
    symptom: SymptomObservation | None = None  # the symptom on the unchanged guest

    def declared(self, spec: Spec) -> Declared | None:
        """The failure ``spec`` declares for this run's target or accelerator, if any."""
        return declared_failure(spec, self.target, self.accelerator)

    def record(self, name: str, status: LayerStatus, detail: str, said: str = "") -> None:
        """A layer's outcome; ``said``: what libvirt, QEMU or the published command printed,
        the only text a declared failure is matched against (the harness says ``detail``)."""
        self.layers[name] = combine(self.layers.get(name), Layer(status, detail, said))
        self.log.append(f"[{name}] {status.value}: {detail}")
        if status is LayerStatus.FAILED:
            self.failures.append((name, detail))
            if said:
                self.said[(name, detail)] = said

    def known(self, declared: Declared, layer: str, detail: str) -> bool:
        """Whether the failure (``layer``, ``detail``) is the declared one: in its layer, and
        the product's own words contain its text. A failure the harness describes alone (a
        lost daemon, a timeout, an unrelated sentence) never is."""
        said = self.said.get((layer, detail))
        return layer == declared.layer and said is not None and declared.contains in said

    def baseline_changed(self, detail: str) -> None:
        """A control's own expectation failed: the layer shows it, but it is no failure of the
        snippet (the verdict says the baseline changed)."""
        self.layers["control"] = combine(self.layers.get("control"),
                                         Layer(LayerStatus.FAILED, detail))
        self.log.append(f"[control] baseline changed: {detail}")
        self.baseline.append(detail)

    def failure(self) -> tuple[str, str] | None:
        """The first failure (the verdict still judges every one: a declared failure must
        be the only kind of failure)."""
        return self.failures[0] if self.failures else None


class Aborted(Exception):
    """A layer failed; later steps cannot mean anything (the failure is already recorded)."""
