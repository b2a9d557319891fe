"""Control observations (a probe on the unchanged base guest), made once per run and shared.

What the unchanged base guest shows depends only on the daemon's environment, the base guest's
XML (with the guest name normalised: the ``@GUEST@`` placeholder is left in), the setup the
check states (it may create what the base guest uses) and the probe with its parameters. Checks
that agree on all of these compare against one observation, made in this run on this daemon by
the first check that needs it; the others wait for it. When the first check starts its control
guest it also makes the observations other planned checks will want from the same guest, so one
boot serves them all. Nothing outlives the run: no cache across runs, nothing in the ledger.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from relnotes.core.plan import Check
from relnotes.core.spec import Effect
from relnotes.engine.probes import NEEDS_MAIN

_MISSING = object()


@dataclass(frozen=True)
class Observed:
    """One observation on an unchanged base guest, made in this run."""

    value: Any
    error: str | None  # the probe could not observe (a ProbeError): there is no value
    guest: str  # the control guest it was made on
    by: str  # the check that started that guest


def control_effects(check: Check) -> list[Effect]:
    """The observations the check makes on the unchanged guest: its symptom, and the effects
    whose control it compares against if it observes effects at all."""
    spec = check.driver
    symptom = [spec.symptom.as_effect()] if spec.symptom is not None else []
    if spec.not_verifiable and not spec.steps:
        return symptom  # effects are not observed (and a runnable snippet is not even run)
    return [effect for effect in spec.effects if effect.control is not None] + symptom


def group_of(check: Check, environment: str) -> str:
    """Digest of what the unchanged base guest's state depends on, besides the probe."""
    spec = check.driver
    base = (check.snippets_dir / spec.guest).read_text(encoding="utf-8")
    setup = json.dumps([list(item.run) for item in spec.setup])
    digest = hashlib.sha256()
    for part in (environment, base, setup):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def key_of(group: str, effect: Effect, main: str) -> str:
    """One observation: its group, the probe and its parameters. A probe that compares with the
    check's main guest (``main``) observes something of that check: never shared."""
    parts = (group, effect.probe, effect.path or "", effect.property or "",
             main if effect.probe in NEEDS_MAIN else "")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Controls:
    """The control observations of one run on one daemon (thread-safe).

    Each observation is claimed by one check, which must ``resolve`` or ``release`` it; a check
    that wants an observation someone else claimed ``wait``s for it, and makes it itself if it
    was released (its maker stopped before making it).
    """

    def __init__(self, environment: str = "", checks: Iterable[Check] = ()) -> None:
        self.environment = environment
        self._planned: dict[str, dict[str, Effect]] = {}  # group -> key -> an effect to observe
        self._users: dict[str, set[str]] = {}  # key -> checks comparing against it
        self._entries: dict[str, Observed | None] = {}  # None: claimed, being made
        self._condition = threading.Condition()
        for check in checks:
            try:
                group = group_of(check, environment)
            except OSError:
                continue  # a missing base guest fails that check when it runs
            for effect in control_effects(check):
                if effect.probe not in NEEDS_MAIN:
                    key = key_of(group, effect, "")
                    self._planned.setdefault(group, {}).setdefault(key, effect)
                    self._users.setdefault(key, set()).add(check.key)

    def claim(self, group: str, wanted: Mapping[str, Effect], check: str) -> dict[str, Effect]:
        """Of ``wanted`` and the group's planned observations, those nobody has made or is
        making: the caller makes them now (``wanted`` first, in order)."""
        with self._condition:
            mine = {}
            for key, effect in {**wanted, **self._planned.get(group, {})}.items():
                if key not in self._entries:
                    self._entries[key] = None
                    mine[key] = effect
            for key in wanted:
                self._users.setdefault(key, set()).add(check)
            return mine

    def resolve(self, key: str, observed: Observed) -> None:
        with self._condition:
            self._entries[key] = observed
            self._condition.notify_all()

    def release(self, keys: Iterable[str]) -> None:
        """Give up claimed observations that were not made (resolved ones stay)."""
        with self._condition:
            for key in keys:
                if key in self._entries and self._entries[key] is None:
                    del self._entries[key]
            self._condition.notify_all()

    def wait(self, key: str, timeout: float) -> Observed | None:
        """The observation once made; None when nobody makes it (the caller claims it)."""
        with self._condition:
            if not self._condition.wait_for(
                    lambda: self._entries.get(key, _MISSING) is not None, timeout):
                raise TimeoutError(f"waited {timeout:.0f} s for a shared control observation")
            return self._entries.get(key)

    def users(self, key: str) -> int:
        """How many checks of this run compare against the observation (planned or seen)."""
        with self._condition:
            return len(self._users.get(key, ()))
