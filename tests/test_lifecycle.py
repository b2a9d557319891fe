"""The lifecycle of an issue from hand-made symptom observations (no ledger, no daemon)."""

from __future__ import annotations

from relnotes.core.lifecycle import (
    SymptomOnTarget,
    combined,
    no_longer_reproduced,
    not_reproduced_from,
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
