"""The ledger in memory: per (snippet, target) each machine's latest record, and the status a
reader derives from them (stale, missing, conflicting).

Per (snippet, target) a ledger keeps the latest record of each machine; on one machine a later
start replaces an earlier one (a machine's own clock orders its own runs). Records of other
machines stand beside it: when records for the inputs that are current disagree, the result is
"conflicting" until one machine re-runs it. Merging is therefore commutative and associative,
and never decided by a counter a ledger (or a hand) can inflate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from relnotes.core import results
from relnotes.core.environment import Environment
from relnotes.core.ledger._records import (
    Record,
    SnippetStatus,
    Status,
    order,
    provenance,
    sort_key,
    supersedes,
)

FORMAT = 3  # what a ledger is written as (the reading module reads 1, 2 and 3)


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
        return sorted(found, key=lambda r: (*order(r), provenance(r)))

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
                if known is None or order(record) > order(known):
                    newest[record.target] = record
            self._newest = newest
        found = self._newest.get(target)
        return found.environment if found is not None else None

    def can_reuse(self, record: Record | None, inputs_sha256: str, environment: Environment) -> bool:
        """An earlier result for the same inputs in the same environment stands, unless the
        results table says its state is re-run even then (``rerun_when_unchanged``) or
        another machine's record for them disagrees."""
        if (record is None or results.rerun_when_unchanged(record.result)
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
