"""Control observations shared within one run: one control guest for the checks that agree on it,
each check still judged by its own control expectation, nothing carried over to the next run."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from relnotes.core.ledger import Ledger, Record, Status
from relnotes.core.plan import plan_checks
from relnotes.core.spec import Effect, Expectation
from relnotes.engine.container import RunningDaemon
from relnotes.engine.controls import Controls, Observed, control_effects, group_of, key_of
from relnotes.engine.runner import run_target

ROOT = Path(__file__).parent.parent
SNIPPETS = ROOT / "snippets"
AC97 = "kvm/kvm-win7-ac97/modern/ac97-sound.xml"
PCI = Effect("pci-ids", Expectation(contains="8086:2415"), Expectation(lacks="8086:2415"))

SPEC = """summary = "The AC'97 device, present as PCI 8086:2415."
kind = "xml-fragment"
timeout = 60
[apply]
mode = "append"
target = "/domain/devices"
[[effects]]
probe = "pci-ids"
contains = "8086:2415"
control = {control}
"""


def ac97_checks(root: Path, controls: dict[str, str]) -> Path:
    """One copy of the ac97 fragment per name, each with its own control expectation."""
    (root / "_guests").mkdir(parents=True)
    shutil.copy(SNIPPETS / "_guests/minimal.xml", root / "_guests/minimal.xml")
    for name, control in controls.items():
        directory = root / "kvm" / name
        directory.mkdir(parents=True)
        (directory / "ac97.xml").write_text("<sound model='ac97'/>\n")
        (directory / "ac97.xml.check.toml").write_text(SPEC.format(control=control))
    return root


def observed(value: object) -> Observed:
    return Observed(value, None, "g-ctl", "some/check")


# -- the memo, without a daemon -----------------------------------------------------------------


def test_first_claim_takes_the_group_planned_observations_own_first() -> None:
    checks = plan_checks(SNIPPETS)
    controls = Controls("env", checks)
    ac97 = next(c for c in checks if c.key == AC97)
    group = group_of(ac97, "env")
    wanted = {key_of(group, e, "g"): e for e in control_effects(ac97)}
    mine = controls.claim(group, wanted, ac97.key)
    # the minimal guest's other planned controls (vnc-auth, cpu family) come along, after ours
    assert next(iter(mine.values())).probe == "pci-ids"
    assert {e.probe for e in mine.values()} >= {"pci-ids", "vnc-auth", "cpu"}
    [key] = wanted
    # ac97, the two rtl8139 procedures and the PXE boot ROM compare with it
    assert controls.users(key) == 4
    assert controls.claim(group, wanted, "another") == {}  # already being made


def test_a_waiter_gets_the_observation_once_made() -> None:
    controls = Controls()
    key = key_of("group", PCI, "g1")
    assert controls.claim("group", {key: PCI}, "a") == {key: PCI}
    got: list[Observed | None] = []
    waiter = threading.Thread(target=lambda: got.append(controls.wait(key, 10)))
    waiter.start()
    controls.resolve(key, observed(["10ec:8139"]))
    waiter.join(10)
    assert got == [observed(["10ec:8139"])]


def test_a_released_observation_is_made_by_whoever_wants_it_next() -> None:
    controls = Controls()
    key = key_of("group", PCI, "g1")
    controls.claim("group", {key: PCI}, "a")
    got: list[Observed | None] = []
    waiter = threading.Thread(target=lambda: got.append(controls.wait(key, 10)))
    waiter.start()
    controls.release([key])  # its maker stopped (timeout, lost guest) before making it
    waiter.join(10)
    assert got == [None]
    assert controls.claim("group", {key: PCI}, "b") == {key: PCI}


def test_waiting_is_bounded_by_the_check_timeout() -> None:
    controls = Controls()
    key = key_of("group", PCI, "g1")
    controls.claim("group", {key: PCI}, "a")
    with pytest.raises(TimeoutError, match="shared control observation"):
        controls.wait(key, 0.05)


def test_what_a_control_depends_on_is_in_its_key(tmp_path: Path) -> None:
    identity = Effect("distinct-identity", Expectation(equals=["mac", "uuid"]),
                      Expectation(equals=[]))
    assert key_of("group", PCI, "g1") == key_of("group", PCI, "g2")
    assert key_of("group", identity, "g1") != key_of("group", identity, "g2")  # of its check
    assert key_of("group", PCI, "g1") != key_of("other group", PCI, "g1")
    checks = plan_checks(SNIPPETS)
    ac97 = next(c for c in checks if c.key == AC97)
    qcow2 = next(c for c in checks if c.key.endswith("qcow2-disk.xml"))
    assert group_of(ac97, "bookworm|9.0.0") != group_of(ac97, "trixie|11.3.0")
    assert group_of(ac97, "e") != group_of(qcow2, "e")  # same base guest, different setup


# -- on a real daemon ---------------------------------------------------------------------------


def control_guests_started(records: dict[str, Record]) -> list[str]:
    return [line for record in records.values() for line in record.log.splitlines()
            if line.startswith("harness: started ") and line.endswith("-ctl to observe it")]


def test_one_control_guest_serves_every_check_and_each_judges_it(
        libvirt_daemon: RunningDaemon, tmp_path: Path) -> None:
    root = ac97_checks(tmp_path, {"right": '{ lacks = "8086:2415" }',
                                  "wrong": '{ contains = "8086:2415" }'})
    run = run_target(libvirt_daemon, plan_checks(root), Ledger(), force=True, jobs=2,
                     log=lambda _line: None)
    records = {record.snippet: record for record in run.records}
    assert len(control_guests_started(records)) == 1
    right, wrong = records["kvm/right/ac97.xml"], records["kvm/wrong/ac97.xml"]
    assert right.result is Status.PASSED, right.reason
    # the shared observation does not make a wrong control expectation pass
    assert wrong.result is Status.BASELINE_CHANGED
    assert wrong.reason is not None and wrong.reason.startswith(
        "the baseline changed: without the snippet")
    assert "expected to contain '8086:2415'" in wrong.reason
    details = [right.layers["control"].detail, wrong.layers["control"].detail]
    assert all("in this run" in d and "shared by 2 checks" in d for d in details)
    assert sum(" by kvm/" in d for d in details) == 1  # made by one, named by the other

    # the next run observes again (jobs=1: the second check finds it made, not being made)
    again = run_target(libvirt_daemon, plan_checks(root), Ledger(), force=True, jobs=1,
                       log=lambda _line: None)
    records = {record.snippet: record for record in again.records}
    assert len(control_guests_started(records)) == 1
    assert records["kvm/right/ac97.xml"].result is Status.PASSED
    assert records["kvm/wrong/ac97.xml"].result is Status.BASELINE_CHANGED


def test_a_check_declared_to_fail_still_gets_its_control_if_it_reaches_it(
        libvirt_daemon: RunningDaemon, tmp_path: Path) -> None:
    root = ac97_checks(tmp_path, {"declared": '{ lacks = "8086:2415" }'})
    spec = root / "kvm/declared/ac97.xml.check.toml"
    name = libvirt_daemon.target.name
    spec.write_text(spec.read_text() + f'[expected_failure]\n"{name}" = "imagined"\n'
                    f'[failure_contains]\n"{name}" = "imagined"\n'
                    f'[failure_layer]\n"{name}" = "semantic"\n')
    run = run_target(libvirt_daemon, plan_checks(root), Ledger(), force=True, jobs=2,
                     log=lambda _line: None)
    [record] = run.records
    assert len(control_guests_started({record.snippet: record})) == 1  # made when needed
    assert record.layers["control"].status.value == "passed"
    assert record.result is Status.FAILED
    assert "remove the expected_failure declaration" in (record.reason or "")
