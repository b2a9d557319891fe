"""The verification ledger: what was verified, where, when and with which result (Sphinx-free).

Format 2 (documented in the README; format 1 is still read)::

    {"format": 2, "sequence": <last run's number>, "records": [Record.to_json(), ...]}

Records carry their provenance: the run (its id and number), the machine that ran it and the
time it started. Per (snippet, target) a ledger keeps the latest record of each machine; on
one machine a later start replaces an earlier one (a machine's own clock orders its own runs).
Records of other machines stand beside it: when records for the inputs that are current
disagree, the result is "conflicting" until one machine re-runs it. Merging is therefore
commutative and associative, and never decided by a counter a ledger (or a hand) can inflate.
A record dated in the future, or numbered beyond its ledger's last run, is an error.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from relnotes.core.atomic import write_atomic_stream
from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.environment import Environment

FORMAT = 2
READABLE_FORMATS = (1, 2)
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
# A record stamped later than this past the reader's clock is an error, not a winner.
CLOCK_TOLERANCE = timedelta(minutes=5)
#: Thousands of records with their logs are a few MiB; a ledger is never near this.
LEDGER_SIZE_LIMIT = 256 * 2**20


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

    @classmethod
    def from_json(cls, data: Any) -> SymptomObservation:
        if not isinstance(data, dict):
            raise ValueError(f"symptom: must be an object, not {_json_type(data)}")
        if not isinstance(data.get("present"), bool):
            raise ValueError("symptom: present must be true or false")
        return cls(str(data["probe"]), str(data["problem"]), str(data["value"]),
                   data["present"])


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

    @classmethod
    def from_json(cls, data: Any) -> MutationScore:
        if not isinstance(data, dict):
            raise ValueError(f"mutation: must be an object, not {_json_type(data)}")
        equivalent = tuple((str(item[0]), str(item[1]))
                           for item in _list(data.get("equivalent", []), "mutation.equivalent"))
        survivors = tuple(str(item) for item in _list(data.get("survivors", []),
                                                      "mutation.survivors"))
        return cls(int(data["killed"]), int(data["total"]), equivalent, survivors)


class LedgerError(ValueError):
    """The ledger file cannot be read; the message says where and why."""


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

    @classmethod
    def from_json(cls, data: Any) -> Observation:
        if not isinstance(data, dict):
            raise ValueError(f"observations: each must be an object, not {_json_type(data)}")
        meets = data.get("control_meets")
        if meets is not None and not isinstance(meets, bool):
            raise ValueError("observations: control_meets must be true, false or null")
        return cls(str(data["probe"]), str(data["expectation"]), str(data["value"]),
                   _optional(data, "control_value"), meets)


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        result = Status(data["result"])
        if result not in RECORDED:
            raise ValueError(f"result {result.value!r} cannot be recorded")
        verified_at = datetime.fromisoformat(str(data["verified_at"]).replace("Z", "+00:00"))
        if verified_at.tzinfo is None:
            raise ValueError("verified_at has no time zone")
        verified_at = verified_at.astimezone(UTC)  # OverflowError when out of range in UTC
        record = cls(
            snippet=str(data["snippet"]), sha256=str(data["sha256"]),
            inputs_sha256=str(data.get("inputs_sha256", "")), result=result,
            reason=data.get("reason"),
            layers={name: Layer(LayerStatus(layer["status"]), str(layer.get("detail", "")))
                    for name, layer in data.get("layers", {}).items()},
            environment=Environment.from_dict(data["environment"]), verified_at=verified_at,
            duration=float(data.get("duration", 0.0)), log=str(data.get("log", "")),
            check=str(data.get("check", "")),
            observation=_optional(data, "observation"), summary=_optional(data, "summary"),
            adaptation=_optional(data, "adaptation"),
            inputs={str(k): str(v) for k, v in data.get("inputs", {}).items()},
            run_sequence=int(data.get("run", {}).get("sequence", 0)),
            run_id=str(data.get("run", {}).get("id", "")),
            machine=str(data.get("run", {}).get("machine", "")),
            observations=tuple(Observation.from_json(item)
                               for item in _list(data.get("observations", []), "observations")),
            symptom=(SymptomObservation.from_json(data["symptom"])
                     if data.get("symptom") is not None else None),
            mutation=(MutationScore.from_json(data["mutation"])
                      if data.get("mutation") is not None else None),
        )
        if data.get("target", record.target) != record.target:
            raise ValueError("target differs from environment.target")
        return record


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{name}: must be a list, not {_json_type(value)}")
    return value


def _optional(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else str(value)


def provenance(record: Record) -> str:
    """Who ran it: the machine, or (older ledgers name none) the run itself, which then is
    never provably newer than another run."""
    return f"machine {record.machine}" if record.machine else f"run {record.run_id or '?'}"


def _order(record: Record) -> tuple[datetime, int, str, str]:
    return (record.verified_at, record.run_sequence, record.run_id, record.result.value)


def supersedes(new: Record, old: Record) -> bool:
    """Whether ``new`` replaces ``old``, two records of one (snippet, target) from the same
    machine (``provenance``): the one that started later on that machine's clock. Exact ties
    (the same run writing again) are decided by the record's content, never by the order in
    which ledgers are read."""
    if _order(new) != _order(old):
        return _order(new) > _order(old)
    return json.dumps(new.to_json(), sort_keys=True) >= json.dumps(old.to_json(), sort_keys=True)


@dataclass
class Ledger:
    """Per (snippet, target): the latest record (``records``) and the latest of each machine
    (``standing``); and the number of the last run that wrote it."""

    records: dict[tuple[str, str], Record] = field(default_factory=dict)
    sequence: int = 0
    standing: dict[tuple[str, str], dict[str, Record]] = field(default_factory=dict)
    # per target, the record of its latest run (current_environment), computed when first read
    _newest: dict[str, Record] | None = field(default=None, init=False, repr=False,
                                               compare=False)

    def __post_init__(self) -> None:
        for key, record in self.records.items():
            self.standing.setdefault(key, {}).setdefault(provenance(record), record)

    def add(self, record: Record) -> None:
        """Keep ``record`` unless its machine already has a later one here (``supersedes``)."""
        key = (record.snippet, record.target)
        self._newest = None
        per_machine = self.standing.setdefault(key, {})
        who = provenance(record)
        current = per_machine.get(who)
        if current is None or supersedes(record, current):
            per_machine[who] = record
            latest = self.records.get(key)
            # what replaced its machine's record is later than it, so later than the latest
            if latest is None or supersedes(record, latest):
                self.records[key] = record
        self.sequence = max(self.sequence, record.run_sequence)

    def get(self, snippet: str, target: str) -> Record | None:
        return self.records.get((snippet, target))

    def all_records(self) -> Iterable[Record]:
        """Every standing record, each machine's latest per (snippet, target)."""
        for per_machine in self.standing.values():
            yield from per_machine.values()

    def targets(self) -> list[str]:
        return sorted({target for _, target in self.records})

    def current(self, snippet: str, target: str, sha256: str | None = None,
                inputs: Mapping[str, str] | None = None) -> list[Record]:
        """The standing records of the inputs that are current: the snippet's bytes (when
        given) and every input of its check (when given, else the latest record's)."""
        latest = self.records.get((snippet, target))
        if latest is None:
            return []
        found = []
        for record in self.standing[(snippet, target)].values():
            if sha256 is not None and record.sha256 != sha256:
                continue
            if inputs is not None:
                if changed_inputs(record.inputs, inputs):
                    continue
            elif record.inputs_sha256 != latest.inputs_sha256:
                continue
            found.append(record)
        return sorted(found, key=lambda r: (*_order(r), provenance(r)))

    def conflicts(self) -> list[list[Record]]:
        """The records that disagree, per (snippet, target), for the latest inputs."""
        found = []
        for snippet, target in sorted(self.standing):
            if len(self.standing[(snippet, target)]) < 2:
                continue
            current = self.current(snippet, target)
            if len({record.result for record in current}) > 1:
                found.append(current)
        return found

    def status(self, snippet: str, sha256: str, target: str,
               inputs: Mapping[str, str] | None = None) -> SnippetStatus:
        """The snippet's status on ``target``: its record's, unless the snippet's bytes or (when
        ``inputs`` is given) any input of its check differ from what was verified, or the
        records of machines that ran the current inputs disagree."""
        record = self.records.get((snippet, target))
        if record is None:
            return SnippetStatus(target, Status.MISSING, f"never verified on {target}", None,
                                 None)
        current = self.current(snippet, target, sha256, inputs)
        if len({item.result for item in current}) > 1:
            latest = current[-1]
            return SnippetStatus(target, Status.CONFLICTING, conflict_text(current),
                                 latest.environment.label, latest.verified_at,
                                 summary=latest.summary, adaptation=latest.adaptation)
        if current:
            record = current[-1]
            env = record.environment
            now_runs = self.current_environment(target)
            if now_runs is not None and now_runs != env:
                # the target's image was rebuilt (other versions) or runs with another
                # accelerator: the record's key is the environment it observed
                return SnippetStatus(target, Status.STALE,
                                     f"verified on {env.label}, but {target} now runs "
                                     f"{_environment_change(env, now_runs)}", env.label,
                                     record.verified_at, summary=record.summary,
                                     adaptation=record.adaptation)
            return SnippetStatus(target, record.result, record.reason, env.label,
                                 record.verified_at, record.observation, record.summary,
                                 record.adaptation, record.symptom, record.mutation)
        env = record.environment
        changed = ["the snippet"] if record.sha256 != sha256 else []
        if inputs is not None:
            changed += changed_inputs(record.inputs, inputs)
        if not changed:  # only another machine's record is current: it was read above
            changed = ["the check's inputs"]
        return SnippetStatus(target, Status.STALE,
                             f"{', '.join(changed)} changed since it was verified on "
                             f"{record.verified_at:%Y-%m-%d}", env.label, record.verified_at,
                             summary=record.summary, adaptation=record.adaptation)

    def current_environment(self, target: str) -> Environment | None:
        """The environment ``target`` ran in at its latest run (the run that started last):
        image, libvirt and QEMU versions and accelerator. A record made in another one is
        stale (its key is the environment it observed, not only the target's name)."""
        if self._newest is None:
            newest: dict[str, Record] = {}
            for record in self.all_records():
                known = newest.get(record.target)
                if known is None or _order(record) > _order(known):
                    newest[record.target] = record
            self._newest = newest
        found = self._newest.get(target)
        return found.environment if found is not None else None

    def can_reuse(self, record: Record | None, inputs_sha256: str, environment: Environment) -> bool:
        """A conclusive earlier result for the same inputs in the same environment stands,
        unless another machine's record for them disagrees."""
        if (record is None or record.result is Status.FAILED
                or record.inputs_sha256 != inputs_sha256
                or not record.environment.same_as(environment)):
            return False
        others = self.current(record.snippet, record.target)
        return len({item.result for item in others}) <= 1

    def merge(self, other: Ledger) -> Ledger:
        merged = Ledger(sequence=max(self.sequence, other.sequence))
        for record in (*self.all_records(), *other.all_records()):
            merged.add(record)
        return merged

    def to_json(self) -> dict[str, Any]:
        # one record per machine, so (key, order, machine) sorts them whatever the merge order
        ordered = sorted(self.all_records(), key=sort_key)
        return {"format": FORMAT, "sequence": self.sequence,
                "records": [record.to_json() for record in ordered]}


def _environment_change(old: Environment, new: Environment) -> str:
    """What differs, e.g. "libvirt 12.0.0 / QEMU 10.1.0 (KVM) (a rebuilt image)"."""
    if (old.libvirt_version, old.qemu_version, old.accelerator) == (
            new.libvirt_version, new.qemu_version, new.accelerator):
        return f"{new.label} from a rebuilt image"
    return new.label


def sort_key(record: Record) -> tuple[Any, ...]:
    """The order records are written in: by (snippet, target), then run; one per machine."""
    return (record.snippet, record.target, *_order(record), provenance(record))


def conflict_locations(records: Iterable[Record], where: Mapping[int, str]) -> str:
    """A located error for records that disagree: each with where it was read, and the fix."""
    records = list(records)
    first = records[0]
    return (f"{first.snippet} on {first.target}: " + "; ".join(
        f"{where.get(id(record), '?')}: {record.result.value} on {provenance(record)}, run "
        f"{record.run_id or '?'}, started {record.verified_at:%Y-%m-%d %H:%M} UTC"
        for record in records)
        + ": runs of the same inputs disagree and neither is provably newer (different "
        "machines); re-run the check on one machine (relnotes verify --target "
        f"{first.target} --force) and merge its ledger instead of these")


def conflict_text(records: Iterable[Record]) -> str:
    """Each disagreeing record: its result, where, when and which run."""
    return "runs of the same inputs disagree: " + "; ".join(
        f"{record.result.value} on {provenance(record)} ({record.environment.label}, run "
        f"{record.run_id or '?'}, {record.verified_at:%Y-%m-%d %H:%M} UTC)"
        for record in records)


def changed_inputs(recorded: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Names of the check inputs whose digest differs (a record without them: all of them)."""
    if not recorded:
        return ["the check's inputs (recorded by an engine that did not record them)"]
    return [name for name in sorted(set(recorded) | set(current))
            if recorded.get(name) != current.get(name)]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_ledger(path: Path, located: dict[int, str] | None = None) -> Ledger:
    """Read a ledger; a missing file is an empty ledger, anything malformed a LedgerError.

    ``located``, when given, receives where each record was read (``id(record)`` to
    ``"<path>: records[<index>]"``), for errors about records found later (conflicts)."""
    if not os.path.lexists(path):
        return Ledger()
    try:
        raw = read_bounded(path, LEDGER_SIZE_LIMIT, what="ledger")
    except InputFileError as error:
        raise LedgerError(str(error)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise LedgerError(f"{path}:{line}: not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LedgerError(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}") from None
    except RecursionError:
        raise LedgerError(f"{path}: not a ledger: nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise LedgerError(f"{path}: unsupported ledger format {found!r} (expected {FORMAT})")
    items = data.get("records", [])
    if not isinstance(items, list):
        raise LedgerError(f"{path}: records: must be a list of records, not "
                          f"{_json_type(items)}")
    declared = declared_sequence(path, data.get("sequence"))
    ledger = Ledger()
    latest = now() + CLOCK_TOLERANCE
    for index, item in enumerate(items):
        record = read_record(path, index, item, latest)
        if declared is not None and record.run_sequence > declared:
            raise beyond_error(path, index, record, declared)
        if located is not None:
            located[id(record)] = f"{path}: records[{index}]"
        ledger.add(record)
    ledger.sequence = max(ledger.sequence, declared or 0)
    return ledger


def declared_sequence(path: Path, declared: Any) -> int | None:
    """The ledger's own number of its last run (None in ledgers that state none)."""
    if declared is not None and (isinstance(declared, bool) or not isinstance(declared, int)):
        raise LedgerError(f"{path}: sequence: not a whole number")
    return declared


def read_record(path: Path, index: int, item: Any, latest: datetime) -> Record:
    """One record of a ledger file, checked: its shape, its fields, its date (``latest``:
    the reader's clock plus the tolerance)."""
    try:
        _check_record_shape(item)
        record = Record.from_json(item)
        # A date without its zone, or one that leaves datetime's range once in UTC.
        in_future = record.verified_at > latest
    except OverflowError as error:  # a date beyond datetime's range, a number beyond int's
        raise LedgerError(f"{path}: records[{index}]: out of range: {error}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        what = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise LedgerError(f"{path}: records[{index}]: {what}") from None
    if in_future:
        raise LedgerError(
            f"{path}: records[{index}]: {record.snippet} on {record.target} is dated "
            f"{record.verified_at.isoformat()}, in the future (a clock ahead on the machine "
            "that ran it?); re-run the check rather than trust it")
    return record


def beyond_error(path: Path, index: int, record: Record, declared: int) -> LedgerError:
    return LedgerError(
        f"{path}: records[{index}]: {record.snippet} on {record.target} claims run "
        f"{record.run_sequence}, beyond the ledger's last run ({declared}): the record "
        "was edited or copied from another ledger; re-run the check (relnotes verify) "
        "rather than trust it")


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _check_record_shape(item: Any) -> None:
    """The containers a record needs are what they should be (their fields are checked when
    the record is built); a wrong one would otherwise surface as an unrelated error."""
    if not isinstance(item, dict):
        raise ValueError(f"must be an object, not {_json_type(item)}")
    for name in ("environment", "layers"):
        if name in item and not isinstance(item[name], dict):
            raise ValueError(f"{name}: must be an object, not {_json_type(item[name])}")
    for name, layer in item.get("layers", {}).items():
        if not isinstance(layer, dict):
            raise ValueError(f"layers.{name}: must be an object, not {_json_type(layer)}")
    for name in ("snippet", "sha256", "result", "verified_at"):
        if name in item and not isinstance(item[name], str):
            raise ValueError(f"{name}: must be a string, not {_json_type(item[name])}")


class RecordWriter:
    """Writes a ledger's JSON record by record, one record a line, in ``sort_key`` order:
    ``write_ledger`` and the streamed merge both write with it, so they write the same bytes
    (and json's C encoder, which an indented dump cannot use, keeps a large merge fast)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count = 0
        stream.write(f'{{"format": {FORMAT}, "records": [')

    def write(self, record: Record) -> None:
        self.stream.write(("\n" if self.count == 0 else ",\n")
                          + json.dumps(record.to_json(), sort_keys=True))
        self.count += 1

    def close(self, sequence: int) -> None:
        self.stream.write(("]" if self.count == 0 else "\n]") + f', "sequence": {sequence}}}\n')




def write_ledger(ledger: Ledger, path: Path) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    def write(stream: TextIO) -> None:
        writer = RecordWriter(stream)
        for record in sorted(ledger.all_records(), key=sort_key):
            writer.write(record)
        writer.close(ledger.sequence)

    write_atomic_stream(path, write)


def merge_files(paths: Iterable[Path]) -> Ledger:
    """One ledger from several (e.g. one per machine): per snippet, target and machine, the
    record of its latest run (``supersedes``); other machines' records stand beside it."""
    merged = Ledger()
    for path in paths:
        merged = merged.merge(load_ledger(path))
    return merged


def now() -> datetime:
    return datetime.now(UTC)
