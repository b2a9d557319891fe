"""The lifecycle of an issue from hand-made symptom observations (no ledger, no daemon)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from relnotes.core.ledger import Ledger
from relnotes.core.lifecycle import (
    SymptomOnTarget,
    combined,
    no_longer_reproduced,
    no_longer_reproduced_candidates,
    not_reproduced_from,
    symptom_present,
)


def on(*presents: bool | None) -> list[SymptomOnTarget]:
    versions = ["7.0", "9.0", "11.3", "12.9"]
    names = ["bullseye", "bookworm", "trixie", "trixie-backports"]
    return [SymptomOnTarget(name, version, present)
            for name, version, present in zip(names, versions, presents, strict=False)]


def test_not_reproduced_from_the_oldest_of_the_newest_absent_run() -> None:
    first = not_reproduced_from(on(True, True, False, False))
    assert first is not None and first.libvirt == "11.3"
    only_newest = not_reproduced_from(on(True, True, True, False))
    assert only_newest is not None and only_newest.libvirt == "12.9"


def test_nothing_is_said_where_the_newest_target_shows_it_or_has_no_observation() -> None:
    assert not_reproduced_from(on(False, False, False, True)) is None  # came back
    assert not_reproduced_from(on(True, False, False, None)) is None  # newest not observed
    assert not_reproduced_from(on(None, None, None, None)) is None  # no symptom anywhere
    assert not_reproduced_from([]) is None


def test_an_unobserved_target_ends_the_run() -> None:
    first = not_reproduced_from(on(False, None, False, False))
    assert first is not None and first.target == "trixie"  # not "bullseye": 9.0 unobserved


def test_several_checks_of_one_issue_agree_before_not_reproduced_is_said() -> None:
    assert combined([False, False]) is False
    assert combined([False, True]) is True
    assert combined([]) is None


def test_candidates_are_targets_that_went_from_observed_to_absent() -> None:
    before = {"bookworm": True, "trixie": True, "trixie-backports": None, "bullseye": False}
    after = {"bookworm": True, "trixie": False, "trixie-backports": False, "bullseye": False}
    assert no_longer_reproduced(before, after) == ["trixie"]
    assert no_longer_reproduced(after, before) == []


# -- from ledgers: hand-made records carrying (or not) the symptom observation ---------------

def fake(present: bool | None, libvirt: str = "12.9.0") -> Any:
    """A record as the ledger reads it: ``symptom`` absent in older ledgers (None here)."""
    symptom = None if present is None else SimpleNamespace(
        probe="cpu flags", problem="lacks 'nx'", value="[]" if present else "['nx']",
        present=present)
    return SimpleNamespace(symptom=symptom,
                           environment=SimpleNamespace(libvirt_version=libvirt))


def ledger(entries: dict[tuple[str, str], Any]) -> Ledger:
    made = Ledger()
    made.records.update(entries)
    return made


def test_symptom_present_reads_the_observation_and_nothing_else() -> None:
    assert symptom_present(fake(True)) is True
    assert symptom_present(fake(False)) is False
    assert symptom_present(fake(None)) is None
    assert symptom_present(object()) is None  # a record of a ledger without the field


def test_drift_candidates_are_snippets_whose_problem_stopped_showing() -> None:
    old = ledger({("k/a.xml", "trixie"): fake(True, "11.3.0"),
                  ("k/a.xml", "trixie-backports"): fake(True),
                  ("k/b.xml", "trixie-backports"): fake(None),
                  ("k/c.xml", "trixie-backports"): fake(False)})
    new = ledger({("k/a.xml", "trixie"): fake(True, "11.3.0"),
                  ("k/a.xml", "trixie-backports"): fake(False),
                  ("k/b.xml", "trixie-backports"): fake(False),  # never seen before: no claim
                  ("k/c.xml", "trixie-backports"): fake(False)})
    found = no_longer_reproduced_candidates(old, new)
    assert [(c.snippet, c.target) for c in found] == [("k/a.xml", "trixie-backports")]
    assert found[0].words() == ("candidate: no longer reproduced: trixie-backports: k/a.xml: "
                                "the problem did not show on the unchanged guest on libvirt 12.9")
    assert no_longer_reproduced_candidates(old, new, targets=["trixie"]) == []
