"""Observing a check's effects on its guest, and the controls on the unchanged base guest."""

from __future__ import annotations

from concurrent.futures import Future
from functools import partial

import libvirt

from relnotes.core.ledger import LayerStatus, SymptomObservation
from relnotes.core.spec import Effect
from relnotes.engine.controls import Controls, Observed, group_of, key_of
from relnotes.engine.probes import ProbeContext, ProbeError, describe, observe, unmet

from ._evidence import ControlValue, Evidence, expectation_text, short
from ._session import Session


class Effects:
    """What a check's change does to the guest, and what the guest is without it.

    ``controls`` is the run's memo of control observations (shared by the checks of one run on
    one daemon); without it the check observes its own controls.
    """

    def __init__(self, session: Session, controls: Controls | None = None) -> None:
        self.session = session
        self.controls = controls if controls is not None else Controls()
        self.control_job: Future[None] | None = None  # this check's control observations
        self._group: str | None = None

    def context(self, name: str, *, start: bool = False) -> ProbeContext:
        """What a probe looks at. Only a control guest is started here: the guest under test
        must be running because the check (or the published steps) started it."""
        domain = self.session.conn.lookupByName(name)
        if not domain.isActive():
            if not start:
                raise ProbeError(f"guest {name} is not running")
            domain.create()
            self.session.outcome.log.append(f"harness: started {name} to observe it")
        try:
            main = self.session.conn.lookupByName(self.session.guest)
        except libvirt.libvirtError:
            main = None
        return ProbeContext(domain, main, self.session.read)

    def effects(self) -> None:
        """Observe every effect, then every control, whatever failed before: a declared
        failure must be the only failure, so everything still observable is observed."""
        values: dict[int, object] = {}
        for index, effect in enumerate(self.session.spec.effects):
            self.session.remaining()
            try:
                value = observe(self.context(effect.guest or self.session.guest), effect)
            except (ProbeError, libvirt.libvirtError) as error:
                self.session.outcome.record("effect", LayerStatus.FAILED,
                                    f"{describe(effect)} not observed: {error}")
                continue
            values[index] = value
            problems = unmet(effect.expect, value)
            if problems and self.session.check.overrides:
                # a mutant only needs to be non-green: its first failing effect says so
                self.session.outcome.record("effect", LayerStatus.FAILED,
                                            f"{describe(effect)} = {value!r}: "
                                            f"{'; '.join(problems)}")
                return
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            detail = f"{describe(effect)} = {value!r}" + (f": {'; '.join(problems)}"
                                                         if problems else "")
            # what QEMU or libvirt reported: the probe's value, not the expectation it missed
            self.session.outcome.record("effect", status, detail,
                                        said=f"{describe(effect)} = {value!r}")
        for index, effect in enumerate(self.session.spec.effects):
            control = self.observe_control(effect) if effect.control else None
            if index in values:
                self.session.outcome.evidence.append(Evidence(effect, values[index], control))

    def observe_control(self, effect: Effect) -> ControlValue | None:
        assert effect.control is not None
        key = key_of(self.group(), effect, self.session.guest)
        try:
            observed = self.control(key, effect)
        except libvirt.libvirtError as error:
            observed = Observed(None, str(error), self.session.guest + "-ctl", self.session.check.key)
        if observed.error is not None:
            self.session.outcome.record("control", LayerStatus.FAILED,
                                f"{describe(effect)} not observed on the control guest "
                                f"{observed.guest}: {observed.error}")
            return None
        problems = tuple(unmet(effect.control, observed.value))
        value = ControlValue(observed.value, observed.guest, problems)
        same = not problems and value.meets(effect)
        users = self.controls.users(key)
        detail = (f"without the snippet, {describe(effect)} = {observed.value!r}"
                  + (f": {'; '.join(problems)}" if problems else "")
                  + (": the effect's expectation holds here too" if same else "")
                  + f" (observed on control guest {observed.guest} in this run"
                  + ("" if observed.by == self.session.check.key else f" by {observed.by}")
                  + (f", shared by {users} checks)" if users > 1 else ")"))
        if problems:
            self.session.outcome.baseline_changed(detail)
        else:
            self.session.outcome.record("control", LayerStatus.PASSED, detail)
        return value

    def symptom(self) -> None:
        """Observe the issue's symptom on the unchanged guest (the control guest, the snippet
        left out), in this run; what it shows decides "still needed" there."""
        symptom = self.session.spec.symptom
        if symptom is None:
            return
        effect = symptom.as_effect()
        key = key_of(self.group(), effect, self.session.guest)
        try:
            observed = self.control(key, effect)
        except (libvirt.libvirtError, ProbeError) as error:
            self.session.outcome.log.append(f"symptom {describe(effect)} not observed: {error}")
            return
        if observed.error is not None:
            self.session.outcome.log.append(f"symptom {describe(effect)} not observed on "
                                            f"{observed.guest}: {observed.error}")
            return
        present = not unmet(effect.expect, observed.value)
        self.session.outcome.symptom = SymptomObservation(
            describe(effect), expectation_text(effect), short(observed.value), present)
        self.session.outcome.log.append(
            f"symptom: without the snippet, {describe(effect)} = {observed.value!r}: the problem "
            f"({expectation_text(effect)}) is {'present' if present else 'absent'} "
            f"(on {observed.guest})")

    def group(self) -> str:
        if self._group is None:
            self._group = group_of(self.session.check, self.controls.environment)
        return self._group

    def begin_controls(self) -> None:
        """Claim the check's control observations; those nobody else is making are made now,
        on this check's control guest, alongside the check's own work."""
        if self.session.outcome.declared(self.session.spec):
            return  # it is expected to stop before its effects: observe only if it gets there
        group = self.group()
        wanted = {key_of(group, e, self.session.guest): e for e in self.session.spec.effects if e.control}
        mine = self.controls.claim(group, wanted, self.session.check.key) if wanted else {}
        if mine:
            self.control_job = self.session.background(partial(self.observe_controls, mine, set(wanted)))

    def control(self, key: str, effect: Effect) -> Observed:
        """The observation ``key`` of this run: made by this check or another, waiting for it
        if it is being made."""
        if self.control_job is not None:
            self.control_job.result()  # ours first; re-raises whatever stopped them
        while True:
            observed = self.controls.wait(key, self.session.remaining())
            if observed is not None:
                return observed
            # nobody made it (never claimed, or its maker stopped first): make it here
            mine = self.controls.claim(self.group(), {key: effect}, self.session.check.key)
            if mine:
                self.observe_controls(mine, {key})

    def observe_controls(self, mine: dict[str, Effect], own: set[str]) -> None:
        """Start this check's control guest (the unchanged base guest) and make the claimed
        observations; each is resolved, or released for a check that wants it to make."""
        name = self.session.guest + "-ctl"
        try:
            try:
                self.session.conn.lookupByName(name)  # started earlier in this check
            except libvirt.libvirtError:
                self.session.conn.defineXML(self.session.base_xml(name))
            ctx = self.context(name, start=True)
            for key, effect in mine.items():
                self.session.remaining()
                try:
                    observed = Observed(observe(ctx, effect), None, name, self.session.check.key)
                except ProbeError as error:
                    observed = Observed(None, str(error), name, self.session.check.key)
                except Exception as error:
                    if key in own:
                        raise
                    self.session.outcome.log.append(f"control {describe(effect)} for another check not"
                                            f" observed: {type(error).__name__}: {error}")
                    continue
                self.controls.resolve(key, observed)
                self.session.outcome.log.append(f"control: {describe(effect)} = {observed.value!r} on "
                                        f"{name}" + (f" ({observed.error})" if observed.error
                                                     else ""))
        finally:
            self.controls.release(mine)
