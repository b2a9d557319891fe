"""The one table of what every result means (Sphinx-free): words, symbol, summary group, green,
publishable, drift attention, JUnit outcome and whether a run reuses it, for each ``Status`` a
ledger holds or a reader derives.

Every part that judges a result reads this table: the engine's run summary and exit status,
JUnit, ``relnotes verify diff``, the publish gate, the badges, the overview's groups, the
compatibility sentence, the claims the site writes, and reuse (``Ledger.can_reuse`` and a
no-change re-run that starts no daemon). None keeps its own list; adding a status
means adding one row here (a test fails while a status has none).

The words are English templates; the site passes them through its message catalog (a test
checks that every one has a Japanese translation).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# the records' part, not the package: the ledger reads this table (``Ledger.can_reuse``)
from relnotes.core.ledger._records import Status


class JUnitOutcome(enum.Enum):
    """How a record shows in JUnit: a pass, a failure (red) or skipped (declared, not run)."""

    PASSED = "passed"
    FAILURE = "failure"
    SKIPPED = "skipped"


class DriftRule(enum.Enum):
    """When a cell becoming this state needs attention in ``relnotes verify diff``."""

    NEVER = "never"  # a green state: arriving here is good news
    FROM_GREEN = "from-green"  # when a green cell becomes it
    ALWAYS = "always"  # whatever it was before (the result is gone or out of date)


@dataclass(frozen=True)
class Group:
    """How readers see a set of states summarised: one word, one symbol, one colour (the CSS
    class ``rn-summary-<name>``), and the clause the compatibility sentence gives it."""

    name: str
    symbol: str  # shown beside the words, so the colour is never the only cue
    words: str
    clause: str  # with %(versions)s
    clause_with_reason: str | None = None  # with %(versions)s and %(reason)s: reasons shown
    clause_everywhere: str | None = None  # with %(reason)s, when every target shares it
    open_ended: bool = False  # a run reaching the newest target reads "... and later"


@dataclass(frozen=True)
class Meaning:
    """One row: what a state means to every part that reads it."""

    status: Status
    group: Group
    badge: str  # with %(environment)s, %(target)s and %(when)s (", 2026-01-31" or "")
    claim: str  # for {rn:verified}: with %(environment)s and %(target)s
    green: bool  # it shows that the snippet does what the page says
    publishable: bool  # the publish gate lets a page show it
    drift: DriftRule
    junit: JUnitOutcome
    recorded: bool  # a run writes it (else it is derived when reading)
    # a record of it is re-run even when its inputs and environment are unchanged (else the
    # earlier result stands); a derived state is never recorded, so never reused
    rerun_when_unchanged: bool
    reason_shown: bool = True  # the badge's reason line

    @property
    def words(self) -> str:
        return self.group.words


VERIFIED = Group("verified", "\u2713", "verified", "works on %(versions)s", open_ended=True)
KNOWN_FAILURE = Group("known-failure", "!", "known failure", "known to fail on %(versions)s",
                      "known to fail on %(versions)s: %(reason)s")
FAILS = Group("fails", "\u2717", "fails", "fails on %(versions)s",
              "fails on %(versions)s: %(reason)s")
NOT_VERIFIABLE = Group("not-verifiable", "\u2013", "not verifiable",  # en dash
                       "not verifiable on %(versions)s",
                       "not verifiable on %(versions)s: %(reason)s",
                       "not verifiable: %(reason)s")
# Ran, but showed nothing that tells the workaround apart from an unchanged guest.
EFFECT_NOT_SHOWN = Group("effect-not-shown", "~", "effect not shown",
                         "ran on %(versions)s, but the effect was not shown")
# Two machines ran the same inputs and disagree: no claim either way until one re-runs.
CONFLICTING = Group("conflicting", "\u2260", "conflicting results",
                    "conflicting results on %(versions)s")
# Verified once, but something it depends on changed since: no claim either way.
STALE = Group("stale", "\u21bb", "stale",  # clockwise arrow: "needs a re-run"
              "stale on %(versions)s: changed since it was verified")
NOT_VERIFIED = Group("not-verified", "?", "not verified", "not verified on %(versions)s")

# In the order summaries, filters and sentences show them.
GROUPS: tuple[Group, ...] = (VERIFIED, KNOWN_FAILURE, FAILS, NOT_VERIFIABLE, EFFECT_NOT_SHOWN,
                             CONFLICTING, STALE, NOT_VERIFIED)

_ = Status
_F, _J = DriftRule, JUnitOutcome
TABLE: tuple[Meaning, ...] = (
    Meaning(_.PASSED, VERIFIED, "Verified on %(environment)s%(when)s",
            "verified on %(environment)s",
            green=True, publishable=True, drift=_F.NEVER, junit=_J.PASSED, recorded=True,
            rerun_when_unchanged=False,
            reason_shown=False),
    Meaning(_.FAILED, FAILS, "Fails on %(environment)s%(when)s",
            "failing on %(environment)s",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=True),
    # Declared with a reason the site shows: published, and never a surprise in CI.
    Meaning(_.EXPECTED_FAILURE, KNOWN_FAILURE, "Fails on %(environment)s (known)%(when)s",
            "known to fail on %(environment)s",
            green=True, publishable=True, drift=_F.NEVER, junit=_J.SKIPPED, recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.NOT_VERIFIABLE, NOT_VERIFIABLE, "Not verifiable on %(target)s",
            "not verifiable on %(target)s",
            green=True, publishable=True, drift=_F.NEVER, junit=_J.SKIPPED, recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.INDISTINCT, EFFECT_NOT_SHOWN,
            "Ran on %(environment)s%(when)s; effect not distinguishable from an unchanged guest",
            "run on %(environment)s without an effect distinguishable from an unchanged guest",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.UNCONTROLLED, EFFECT_NOT_SHOWN,
            "Effect observed on %(environment)s%(when)s, no control",
            "observed on %(environment)s without a control",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.UNCHECKED, EFFECT_NOT_SHOWN,
            "Runs without error on %(environment)s%(when)s; effect not checked",
            "run without error on %(environment)s, its effect not checked",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.BASELINE_CHANGED, EFFECT_NOT_SHOWN,
            "Ran on %(environment)s%(when)s; the baseline changed: the guest without the "
            "snippet is not what the check states",
            "run on %(environment)s, where the guest without it is not what its check states "
            "(the baseline changed)",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.MUTANT_SURVIVED, EFFECT_NOT_SHOWN,
            "Effect observed on %(environment)s%(when)s; not every part shown needed",
            "observed on %(environment)s, but not with every part shown needed",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=True,
            rerun_when_unchanged=False),
    Meaning(_.CONFLICTING, CONFLICTING, "Conflicting results on %(target)s",
            "given conflicting results on %(target)s",
            green=False, publishable=False, drift=_F.FROM_GREEN, junit=_J.FAILURE,
            recorded=False,
            rerun_when_unchanged=True),
    Meaning(_.STALE, STALE, "Stale on %(target)s: changed since it was verified",
            "changed since it was verified on %(target)s",
            green=False, publishable=False, drift=_F.ALWAYS, junit=_J.FAILURE, recorded=False,
            rerun_when_unchanged=True),
    Meaning(_.MISSING, NOT_VERIFIED, "Not verified on %(target)s",
            "not verified on %(target)s",
            green=False, publishable=False, drift=_F.ALWAYS, junit=_J.FAILURE, recorded=False,
            rerun_when_unchanged=True,
            reason_shown=False),
)
del _

_BY_STATUS = {row.status: row for row in TABLE}


def meaning(status: Status) -> Meaning:
    """The row for ``status`` (every ``Status`` has one: a test proves it)."""
    return _BY_STATUS[status]


def is_green(status: Status) -> bool:
    return _BY_STATUS[status].green


def is_publishable(status: Status) -> bool:
    return _BY_STATUS[status].publishable


def group_of(status: Status) -> Group:
    return _BY_STATUS[status].group


def drift_needs_attention(before: Status, after: Status) -> bool:
    """Whether a cell that was ``before`` and is now ``after`` needs someone to act: a green
    cell that is no longer green, or a result that went stale or missing."""
    if before is after:
        return False
    rule = _BY_STATUS[after].drift
    if rule is DriftRule.ALWAYS:
        return True
    return rule is DriftRule.FROM_GREEN and _BY_STATUS[before].green


def rerun_when_unchanged(status: Status) -> bool:
    """Whether a recorded ``status`` is run again although its check's inputs and environment
    are those it was recorded with (else the earlier result stands)."""
    return _BY_STATUS[status].rerun_when_unchanged


def statuses(*, green: bool | None = None, publishable: bool | None = None,
             recorded: bool | None = None) -> frozenset[Status]:
    """The states with the given properties, e.g. every state JUnit must show red."""
    return frozenset(row.status for row in TABLE
                     if (green is None or row.green is green)
                     and (publishable is None or row.publishable is publishable)
                     and (recorded is None or row.recorded is recorded))


def words() -> tuple[str, ...]:
    """Every English template in the table, for the message catalog's completeness test."""
    found: list[str] = []
    for group in GROUPS:
        found += [group.words, group.clause]
        found += [text for text in (group.clause_with_reason, group.clause_everywhere) if text]
    for row in TABLE:
        found += [row.badge]
    return tuple(dict.fromkeys(found))
