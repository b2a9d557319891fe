"""A ledger's records and their statuses, and the rule that orders one machine's runs."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from relnotes.core.environment import Environment

LOG_LIMIT = 4000  # characters of log kept per record: enough to explain, small enough to ship


class Status(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    EXPECTED_FAILURE = "expected-failure"
    NOT_VERIFIABLE = "not-verifiable"
    # the effect held on the changed guest and on its control too: it shows nothing
    INDISTINCT = "indistinct"
    # the effect was observed, but the spec states there is no control (with a reason)
    UNCONTROLLED = "uncontrolled"
    # the published text ran without error; the check states no effect to observe
    UNCHECKED = "unchecked"
    # the control's own expectation failed: the unchanged guest no longer shows what the spec
    # says it shows (a default changed); never "failed", never "not needed"
    BASELINE_CHANGED = "baseline-changed"
    # the check passed, but removing some operative part of the snippet left it green
    MUTANT_SURVIVED = "mutant-survived"
    STALE = "stale"
    MISSING = "missing"
    # runs of the same inputs on different machines disagree (derived on merge and read)
    CONFLICTING = "conflicting"


# What a run can record; STALE, MISSING and CONFLICTING are only ever derived when reading.
RECORDED = (Status.PASSED, Status.FAILED, Status.EXPECTED_FAILURE, Status.NOT_VERIFIABLE,
            Status.INDISTINCT, Status.UNCONTROLLED, Status.UNCHECKED, Status.BASELINE_CHANGED,
            Status.MUTANT_SURVIVED)


class LayerStatus(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SymptomObservation:
    """The issue's symptom as a run observed it on the unchanged guest of one target.

    ``present`` true: the problem the issue describes shows without the workaround (still
    needed there); false: it does not (not needed there). Only the site's "still needed" and
    "not needed" sentences read it.
    """

    probe: str  # e.g. "cpu nx"
    problem: str  # what the problem looks like, e.g. "equals False"
    value: str  # the probe's value on the unchanged guest of that target, same run
    present: bool  # the problem was observed on the unchanged guest

    def to_json(self) -> dict[str, Any]:
        return {"probe": self.probe, "problem": self.problem, "value": self.value,
                "present": self.present}



@dataclass(frozen=True)
class MutationScore:
    """How many mutants of the snippet (an element, attribute or line removed, or the whole
    snippet) turned the check non-green; a badge is green only when none survived."""

    killed: int
    total: int
    equivalent: tuple[tuple[str, str], ...] = ()  # (mutant description, declared reason)
    survivors: tuple[str, ...] = ()  # mutants that left the check green

    def to_json(self) -> dict[str, Any]:
        return {"killed": self.killed, "total": self.total,
                "equivalent": [list(item) for item in self.equivalent],
                "survivors": list(self.survivors)}



@dataclass(frozen=True)
class SnippetStatus:
    target: str
    status: Status
    reason: str | None
    environment_label: str | None
    verified_at: datetime | None
    observation: str | None = None  # what the run observed (a failure's text, a probe value)
    summary: str | None = None  # what the check shows, from its spec
    adaptation: str | None = None  # what the check changed from the published text, and why
    symptom: SymptomObservation | None = None  # the symptom on the unchanged guest
    mutation: MutationScore | None = None  # how many mutants of the snippet were killed


@dataclass(frozen=True)
class Layer:
    """One layer's outcome (schema, semantic, run, effect, control)."""

    status: LayerStatus
    detail: str = ""
    # what libvirt, QEMU or the published command printed (not the harness's sentence around
    # it): a declared failure's text is matched against this only. Not kept in the ledger.
    said: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class Observation:
    """One effect as a run observed it, as data: what was probed, the value on the changed
    guest, and on the unchanged (control) guest with whether the expectation held there too.

    The site reads these, not prose: ``control_meets`` true means the unchanged guest already
    shows what the workaround is for (not needed there); false, that the problem still shows
    without it (still needed).
    """

    probe: str  # the probe and its parameters, e.g. "nic-models" or "cpu family"
    expectation: str  # what the changed guest must show, e.g. "contains 'e1000'"
    value: str  # on the changed guest (a short repr)
    control_value: str | None = None  # on the control guest, when the effect has a control
    control_meets: bool | None = None  # the expectation holds on the control too

    def to_json(self) -> dict[str, Any]:
        return {"probe": self.probe, "expectation": self.expectation, "value": self.value,
                "control_value": self.control_value, "control_meets": self.control_meets}



@dataclass(frozen=True)
class Record:
    """The result of verifying one snippet in one environment."""

    snippet: str
    sha256: str  # of the snippet's own bytes: what readers copy
    inputs_sha256: str  # of everything the check used (spec, members, base guest)
    result: Status
    reason: str | None
    layers: Mapping[str, Layer]
    environment: Environment
    verified_at: datetime
    duration: float
    log: str = ""
    check: str = ""  # snippet key of the check (procedure) that produced it
    observation: str | None = None  # what was observed, kept apart from the declared reason
    summary: str | None = None
    adaptation: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)  # part -> digest (format 2)
    run_sequence: int = 0  # the run that made it: later runs have larger numbers
    run_id: str = ""
    machine: str = ""  # the identity of the machine that ran it ("" in older ledgers)
    observations: tuple[Observation, ...] = ()  # each effect's values, as data
    symptom: SymptomObservation | None = None  # the symptom on the unchanged guest
    mutation: MutationScore | None = None  # mutants of the snippet killed, equivalent, total

    @property
    def target(self) -> str:
        return self.environment.target

    def to_json(self) -> dict[str, Any]:
        return {
            "snippet": self.snippet, "target": self.target, "sha256": self.sha256,
            "inputs_sha256": self.inputs_sha256, "result": self.result.value,
            "reason": self.reason, "check": self.check,
            "layers": {name: layer.to_json() for name, layer in self.layers.items()},
            "environment": self.environment.to_dict(),
            "verified_at": self.verified_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "duration": round(self.duration, 3), "log": self.log[-LOG_LIMIT:],
            "observation": self.observation, "summary": self.summary,
            "adaptation": self.adaptation, "inputs": dict(sorted(self.inputs.items())),
            "run": {"sequence": self.run_sequence, "id": self.run_id,
                    **({"machine": self.machine} if self.machine else {})},
            "observations": [item.to_json() for item in self.observations],
            **({"symptom": self.symptom.to_json()} if self.symptom is not None else {}),
            **({"mutation": self.mutation.to_json()} if self.mutation is not None else {}),
        }


def provenance(record: Record) -> str:
    """Who ran it: the machine, or (older ledgers name none) the run itself, which then is
    never provably newer than another run."""
    return f"machine {record.machine}" if record.machine else f"run {record.run_id or '?'}"


def order(record: Record) -> tuple[datetime, int, str, str]:
    """When its run started on its machine's clock, then the run's number and id."""
    return (record.verified_at, record.run_sequence, record.run_id, record.result.value)


def supersedes(new: Record, old: Record) -> bool:
    """Whether ``new`` replaces ``old``, two records of one (snippet, target) from the same
    machine (``provenance``): the one that started later on that machine's clock. Exact ties
    (the same run writing again) are decided by the record's content, never by the order in
    which ledgers are read."""
    if order(new) != order(old):
        return order(new) > order(old)
    return json.dumps(new.to_json(), sort_keys=True) >= json.dumps(old.to_json(), sort_keys=True)


def sort_key(record: Record) -> tuple[Any, ...]:
    """The order records are written in: by (snippet, target), then run; one per machine."""
    return (record.snippet, record.target, *order(record), provenance(record))


def sha256_of(path: Path) -> str:
    """The digest a record keeps of a file (``sha256``: the snippet's own bytes)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
