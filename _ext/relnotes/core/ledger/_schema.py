"""A record's JSON form, checked (Sphinx-free): every field's type while it is parsed, then what
types cannot say (a result a run may record, a date with its zone and not in the future, the
target its environment names).

One schema for every format: a format 3 line is decoded straight into it (msgspec checks the
types in C, so a merge of millions of records can check each), a format 1 or 2 record is
converted from the object the whole file parsed into. Errors name the field, in the words the
rest of the ledger's errors use ("environment.target: must be a string, not a number").
"""

from __future__ import annotations

import functools
import re
import typing
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from relnotes.core.environment import Environment
from relnotes.core.ledger._records import (
    RECORDED,
    Layer,
    LayerStatus,
    MutationScore,
    Observation,
    Record,
    Status,
    SymptomObservation,
)

_NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class _Layer(msgspec.Struct, frozen=True, gc=False):
    status: LayerStatus
    detail: str = ""


class _Environment(msgspec.Struct, frozen=True, gc=False, forbid_unknown_fields=True):
    target: _NonEmpty
    libvirt_version: _NonEmpty
    qemu_version: _NonEmpty
    accelerator: _NonEmpty
    image_id: _NonEmpty
    label: str | None = None  # for readers of the file; ignored when read


class _Run(msgspec.Struct, frozen=True, gc=False):
    sequence: int = 0
    id: str = ""
    machine: str = ""


class _Observation(msgspec.Struct, frozen=True, gc=False):
    probe: str
    expectation: str
    value: str
    control_value: str | None = None
    control_meets: bool | None = None


class _Symptom(msgspec.Struct, frozen=True, gc=False):
    probe: str
    problem: str
    value: str
    present: bool


class _Mutation(msgspec.Struct, frozen=True, gc=False):
    killed: int
    total: int
    equivalent: tuple[tuple[str, str], ...] = ()
    survivors: tuple[str, ...] = ()


class RecordData(msgspec.Struct, frozen=True, gc=False):
    """One record as the file has it, its types checked. Format 1 lacks what has defaults.

    Not tracked by the garbage collector (``gc=False``: a merge makes millions of them, and
    they hold no cycles: strings, numbers and other such structs only)."""

    snippet: str
    sha256: str
    result: Status
    verified_at: str
    environment: _Environment
    target: str | None = None  # written for readers; must agree with environment.target
    inputs_sha256: str = ""
    reason: str | None = None
    check: str = ""
    layers: dict[str, _Layer] = {}
    duration: float = 0.0
    log: str = ""
    observation: str | None = None
    summary: str | None = None
    adaptation: str | None = None
    inputs: dict[str, str] = {}
    run: _Run = _Run()
    observations: tuple[_Observation, ...] = ()
    symptom: _Symptom | None = None
    mutation: _Mutation | None = None


#: Decodes one format 3 line (bytes) into ``RecordData``, checking every type as it parses.
LINE = msgspec.json.Decoder(RecordData)
# what a run never records; a tuple, so checking compares identities (no enum hashing)
_DERIVED = tuple(status for status in Status if status not in RECORDED)


class RecordInvalid(ValueError):
    """A record's content is wrong; the message names the field, the caller the place."""


def checked(data: RecordData, latest: datetime) -> datetime:
    """What the types cannot say, checked; the record's start in UTC. ``latest``: the reader's
    clock plus the tolerance (a later record is an error, not a winner)."""
    if data.result in _DERIVED:
        raise RecordInvalid(f"result {data.result.value!r} cannot be recorded")
    if data.target is not None and data.target != data.environment.target:
        raise RecordInvalid("target differs from environment.target")
    when = _start(data.verified_at)
    if when > latest:
        raise RecordInvalid(
            f"{data.snippet} on {data.environment.target} is dated {when.isoformat()}, in the "
            "future (a clock ahead on the machine that ran it?); re-run the check rather than "
            "trust it")
    return when


@functools.lru_cache(maxsize=4096)  # the records of one run share its start: parse it once
def _start(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if when.tzinfo is None:
            raise RecordInvalid("verified_at has no time zone")
        return when.astimezone(UTC)
    except OverflowError as error:  # leaves datetime's range once in UTC
        raise RecordInvalid(f"out of range: {error}") from None
    except RecordInvalid:
        raise
    except ValueError as error:
        raise RecordInvalid(str(error)) from None


def to_record(data: RecordData, verified_at: datetime) -> Record:
    """The record ``checked`` passed, as the ledger holds it."""
    env = data.environment
    mutation = data.mutation
    return Record(
        snippet=data.snippet, sha256=data.sha256, inputs_sha256=data.inputs_sha256,
        result=data.result, reason=data.reason,
        layers={name: Layer(layer.status, layer.detail) for name, layer in data.layers.items()},
        environment=Environment(env.target, env.libvirt_version, env.qemu_version,
                                env.accelerator, env.image_id),
        verified_at=verified_at, duration=data.duration, log=data.log, check=data.check,
        observation=data.observation, summary=data.summary, adaptation=data.adaptation,
        inputs=dict(data.inputs), run_sequence=data.run.sequence, run_id=data.run.id,
        machine=data.run.machine,
        observations=tuple(Observation(o.probe, o.expectation, o.value, o.control_value,
                                       o.control_meets) for o in data.observations),
        symptom=(SymptomObservation(data.symptom.probe, data.symptom.problem,
                                    data.symptom.value, data.symptom.present)
                 if data.symptom is not None else None),
        mutation=(MutationScore(mutation.killed, mutation.total, mutation.equivalent,
                                mutation.survivors) if mutation is not None else None),
    )


def from_object(item: Any) -> RecordData:
    """A format 1 or 2 record (an object already parsed), its types checked."""
    try:
        return msgspec.convert(item, RecordData)
    except msgspec.ValidationError as error:
        raise RecordInvalid(explain(error, item)) from None


def explain_line(line: bytes, error: msgspec.ValidationError) -> str:
    """The words for a line ``LINE`` refused for its types (the line is valid JSON)."""
    try:
        item = msgspec.json.decode(line)
    except msgspec.DecodeError:  # pragma: no cover - LINE parsed it
        item = None
    return explain(error, item)


# -- msgspec's words, in the ledger's ------------------------------------------------------

_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_EXPECTED = re.compile(r"Expected `(?P<want>[^`]+)`(?:, got `(?P<got>[^`]+)`)?(?P<rest>.*)")
_WANT = {"str": "a string", "int": "a whole number", "float": "a number", "object": "an object",
         "array": "a list", "bool": "true or false", "null": "null"}
_GOT = {"str": "a string", "int": "a number", "float": "a number", "object": "an object",
        "array": "a list", "bool": "true or false", "null": "null"}


def explain(error: msgspec.ValidationError, item: Any) -> str:
    """``error`` as "<field>: <what is wrong>", the field named as the file names it."""
    found = _AT.match(str(error))
    assert found is not None  # the pattern matches any text
    what, path = found["what"], (found["path"] or "").lstrip(".")
    path = _name_keys(path, item)
    expected = _EXPECTED.fullmatch(what)
    if what.startswith("Object missing required field `"):
        words = f"missing field {what.split('`')[1]!r}"
    elif what.startswith("Object contains unknown field `"):
        words = f"unknown field {what.split('`')[1]!r}"
    elif what.startswith("Invalid enum value "):
        words = f"{what.removeprefix('Invalid enum value ')} is not a known value"
    elif expected is not None and expected["got"]:
        names = [_WANT.get(name, name) for name in expected["want"].split(" | ")]
        if len(names) > 1:  # "true, false or null"
            names = [name.replace(" or ", ", ") for name in names]
        wants = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        words = f"must be {wants}, not {_GOT.get(expected['got'], expected['got'])}"
    elif expected is not None and expected["rest"] == " of length >= 1":
        words = "must not be empty"
    elif expected is not None and expected["rest"].startswith(" of length "):
        words = f"must be a list of {expected['rest'].removeprefix(' of length ')}"
    else:
        words = what
    return f"{path}: {words}" if path else words


def _name_keys(path: str, item: Any) -> str:
    """msgspec says ``layers[...]`` for a value of an object keyed by name: find the name."""
    head, marker, rest = path.partition("[...]")
    if not marker or "." in head or not isinstance(item, dict) \
            or not isinstance(item.get(head), dict):
        return path
    field_type = typing.get_type_hints(RecordData)[head]
    value_type = typing.get_args(field_type)[1]
    for key, value in item[head].items():
        try:
            msgspec.convert(value, value_type)
        except msgspec.ValidationError:
            return f"{head}.{key}{rest}"
    return path
