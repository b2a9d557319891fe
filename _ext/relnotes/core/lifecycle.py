"""An issue over libvirt versions, from the evidence: where its symptom stops showing.

The runs record, per target, whether the issue's problem showed on the unchanged guest (the
symptom observation of each record). From those alone (never from a check's result) this
says from which libvirt version on the problem is not reproduced, and which targets stopped
reproducing it between two runs. Where no observation was recorded, nothing is said.
Sphinx-free: the issue page and ``relnotes verify diff`` read the same answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from relnotes.core.ledger import Ledger


@dataclass(frozen=True)
class SymptomOnTarget:
    """What the latest run saw of the issue's problem on one target's unchanged guest."""

    target: str
    libvirt: str | None  # the target's libvirt version ("12.9"), when the ledger knows it
    present: bool | None  # None: no observation recorded


def combined(observations: Iterable[bool]) -> bool | None:
    """One answer from the observations of the issue's several checks on one target: the
    problem showed if any saw it (a claim of "not reproduced" needs every one to agree)."""
    seen = list(observations)
    if not seen:
        return None
    return any(seen)


def not_reproduced_from(targets: Sequence[SymptomOnTarget]) -> SymptomOnTarget | None:
    """The oldest target of the newest unbroken run of targets on which the problem was
    observed absent (``targets`` oldest first); None when the newest target has no such
    observation. A target with no observation ends the run: nothing is said across it."""
    first: SymptomOnTarget | None = None
    for target in reversed(targets):
        if target.present is not False:
            break
        first = target
    return first


def no_longer_reproduced(before: Mapping[str, bool | None],
                         after: Mapping[str, bool | None]) -> list[str]:
    """Targets on which the earlier run observed the problem and the later run observed it
    absent: candidates for a writer to mark fixed or retire. Targets without an
    observation in either run are not candidates."""
    return sorted(target for target, now in after.items()
                  if now is False and before.get(target) is True)


def symptom_present(item: object) -> bool | None:
    """What a ledger record or a snippet status says of the issue's problem on the unchanged
    guest: its ``symptom`` observation's ``present``, or None where there is none (older
    ledgers, records of runs that observed no symptom, a stale or missing status)."""
    symptom = getattr(item, "symptom", None)
    present = getattr(symptom, "present", None)
    return present if isinstance(present, bool) else None


@dataclass(frozen=True)
class Candidate:
    """A (snippet, target) whose issue's problem the earlier run saw and the later did not."""

    snippet: str
    target: str
    libvirt: str | None

    def words(self) -> str:
        where = f"libvirt {self.libvirt}" if self.libvirt else self.target
        return (f"candidate: no longer reproduced: {self.target}: {self.snippet}: the problem "
                f"did not show on the unchanged guest on {where}")


def no_longer_reproduced_candidates(old: Ledger, new: Ledger,
                                    targets: Collection[str] | None = None) -> list[Candidate]:
    """Each (snippet, target) the new ledger observed the problem absent on, where the old one
    observed it present: for writers to mark the issue fixed, or retire it."""
    found = []
    for (snippet, target), record in sorted(new.records.items()):
        if targets is not None and target not in targets:
            continue
        before = old.records.get((snippet, target))
        if before is None:
            continue
        if no_longer_reproduced({target: symptom_present(before)},
                                {target: symptom_present(record)}):
            version = ".".join(record.environment.libvirt_version.split(".")[:2]) or None
            found.append(Candidate(snippet, target, version))
    return found
