"""Observing a check's effects on its guest, and the controls on the unchanged base guest."""

from __future__ import annotations

from functools import partial

import libvirt

from relnotes.core.ledger import LayerStatus
from relnotes.core.spec import Effect
from relnotes.engine.controls import Observed, group_of, key_of
from relnotes.engine.probes import ProbeContext, ProbeError, describe, observe, unmet

from ._session import Session


class Effects(Session):
    """What a check's change does to the guest, and what the guest is without it."""

    def context(self, name: str) -> ProbeContext:
        domain = self.conn.lookupByName(name)
        if not domain.isActive():
            domain.create()
            self.outcome.log.append(f"harness: started {name} to observe it")
        try:
            main = self.conn.lookupByName(self.guest)
        except libvirt.libvirtError:
            main = None
        return ProbeContext(domain, main, self.read)

    def effects(self) -> None:
        for effect in self.spec.effects:
            self.remaining()
            ctx = self.context(effect.guest or self.guest)
            value = observe(ctx, effect)
            problems = unmet(effect.expect, value)
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            detail = f"{describe(effect)} = {value!r}" + (f": {'; '.join(problems)}"
                                                         if problems else "")
            self.outcome.record("effect", status, detail)
        controls = [effect for effect in self.spec.effects if effect.control]
        if not controls or self.outcome.failure():
            return
        for effect in controls:
            assert effect.control is not None
            key = key_of(self.group(), effect, self.guest)
            observed = self.control(key, effect)
            if observed.error is not None:
                raise ProbeError(observed.error)
            problems = unmet(effect.control, observed.value)
            status = LayerStatus.FAILED if problems else LayerStatus.PASSED
            users = self.controls.users(key)
            detail = (f"without the change, {describe(effect)} = {observed.value!r}"
                      + (f": {'; '.join(problems)}" if problems else "")
                      + f" (observed on unchanged base guest {observed.guest} in this run"
                      + ("" if observed.by == self.check.key else f" by {observed.by}")
                      + (f", shared by {users} checks)" if users > 1 else ")"))
            self.outcome.record("control", status, detail)

    def group(self) -> str:
        if self._group is None:
            self._group = group_of(self.check, self.controls.environment)
        return self._group

    def begin_controls(self) -> None:
        """Claim the check's control observations; those nobody else is making are made now,
        on this check's control guest, alongside the check's own work."""
        if self.outcome.declared(self.spec):
            return  # it is expected to stop before its effects: observe only if it gets there
        group = self.group()
        wanted = {key_of(group, e, self.guest): e for e in self.spec.effects if e.control}
        mine = self.controls.claim(group, wanted, self.check.key) if wanted else {}
        if mine:
            self.control_job = self.background(partial(self.observe_controls, mine, set(wanted)))

    def control(self, key: str, effect: Effect) -> Observed:
        """The observation ``key`` of this run: made by this check or another, waiting for it
        if it is being made."""
        if self.control_job is not None:
            self.control_job.result()  # ours first; re-raises whatever stopped them
        while True:
            observed = self.controls.wait(key, self.remaining())
            if observed is not None:
                return observed
            # nobody made it (never claimed, or its maker stopped first): make it here
            mine = self.controls.claim(self.group(), {key: effect}, self.check.key)
            if mine:
                self.observe_controls(mine, {key})

    def observe_controls(self, mine: dict[str, Effect], own: set[str]) -> None:
        """Start this check's control guest (the unchanged base guest) and make the claimed
        observations; each is resolved, or released for a check that wants it to make."""
        name = self.guest + "-ctl"
        try:
            try:
                self.conn.lookupByName(name)  # started earlier in this check
            except libvirt.libvirtError:
                self.conn.defineXML(self.base_xml(name))
            ctx = self.context(name)
            for key, effect in mine.items():
                self.remaining()
                try:
                    observed = Observed(observe(ctx, effect), None, name, self.check.key)
                except ProbeError as error:
                    observed = Observed(None, str(error), name, self.check.key)
                except Exception as error:
                    if key in own:
                        raise
                    self.outcome.log.append(f"control {describe(effect)} for another check not"
                                            f" observed: {type(error).__name__}: {error}")
                    continue
                self.controls.resolve(key, observed)
                self.outcome.log.append(f"control: {describe(effect)} = {observed.value!r} on "
                                        f"{name}" + (f" ({observed.error})" if observed.error
                                                     else ""))
        finally:
            self.controls.release(mine)
