"""The engine without a daemon: fragments and edits, transcripts, verdicts, reuse, CLI merge."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.environment import Environment
from relnotes.core.ledger import (
    Layer,
    LayerStatus,
    Ledger,
    Status,
    load_ledger,
    now,
    write_ledger,
)
from relnotes.core.plan import plan_checks
from relnotes.core.spec import Apply, ApplyMode, Edit, declared_failure
from relnotes.engine import runner as runner_module
from relnotes.engine.procedure import Outcome, StepResult
from relnotes.engine.procedure._evidence import ControlValue, Evidence
from relnotes.engine.reuse import ImageIdentity
from relnotes.engine.runner import run_target
from relnotes.engine.transcript import matches, parse_transcript
from relnotes.engine.verdict import Run, records
from relnotes.engine.xmledit import XmlError, apply_edit, apply_fragment, same_xml

ROOT = Path(__file__).parent.parent
SNIPPETS = ROOT / "snippets"
GUEST = "<domain><name>g</name><uuid>u</uuid><devices><interface type='user'>" \
        "<mac address='52:54:00:00:00:01'/></interface></devices></domain>"
MERGE = Apply(ApplyMode.MERGE, "/domain/devices/interface", True, ("type",), "no network")


def test_merge_keeps_the_ellipsis_lines_and_the_kept_attribute() -> None:
    fragment = (SNIPPETS / "kvm/kvm-rtl8139-performance/interface-model-e1000.xml").read_text()
    result = apply_fragment(GUEST, fragment, MERGE, "e1000.xml")
    assert same_xml(result, "<domain><name>g</name><uuid>u</uuid><devices><interface "
                    "type='user'><mac address='52:54:00:00:00:01'/><model type='e1000'/>"
                    "</interface></devices></domain>")


def test_malformed_fragment_reports_file_line_column() -> None:
    with pytest.raises(XmlError, match=r"^bad\.xml:2:\d+: .*interface"):
        apply_fragment(GUEST, "<interface>\n</interfac>", MERGE, "bad.xml")


def test_ellipsis_needs_the_spec_to_say_so() -> None:
    plain = Apply(ApplyMode.APPEND, "/domain/devices")
    with pytest.raises(XmlError, match=r"does not set apply\.ellipsis"):
        apply_fragment(GUEST, "<interface>...</interface>", plain, "f.xml")


def test_target_must_match_exactly_one_element() -> None:
    with pytest.raises(XmlError, match="matches no element"):
        apply_fragment(GUEST, "<a/>", Apply(ApplyMode.APPEND, "/domain/nope"), "f.xml")


def test_template_edit_deletes_uuid_and_mac_and_renames() -> None:
    edit = Edit(delete=("/domain/uuid", "/domain/devices/interface/mac"),
                set_text={"/domain/name": "new-guest"})
    result = apply_edit(GUEST, edit, {}, {}, "copy")
    assert same_xml(result, "<domain><name>new-guest</name><devices><interface type='user'/>"
                    "</devices></domain>")


def test_replace_edit_needs_the_before_text_once() -> None:
    edit = Edit(replace=("before", "after"))
    texts = {"before": "<emulator>/usr/libexec/qemu-kvm</emulator>\n", "after": "<x/>"}
    with pytest.raises(XmlError, match="found 0 times"):
        apply_edit(GUEST, edit, texts, {}, "edit")


def test_transcript_parsing_and_matching() -> None:
    exchanges = parse_transcript("$ echo a \\\n  b\na b\n# id -u\n0\n")
    assert [(e.command, e.expected, e.line) for e in exchanges] == [
        ("echo a \\\n  b", "a b", 1), ("id -u", "0", 4)]
    assert matches("x...z\n...\nend", "xyz\n1\n2\nend\n")
    assert not matches("hello", "goodbye\n")
    assert parse_transcript("WARNING: output only\n") == []


def outcome_for(key: str, **layers: LayerStatus) -> Outcome:
    check = next(c for c in plan_checks(SNIPPETS) if c.key == key)
    outcome = Outcome(check, "bookworm", now())
    for name, status in layers.items():
        outcome.record(name, status, f"{name} detail")
    return outcome


ENV = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "img")
AC97 = "kvm/kvm-win7-ac97/modern/ac97-sound.xml"


def observe_all(outcome: Outcome, changed: object = "changed",
                unchanged: object = "unchanged") -> Outcome:
    """Evidence for every effect of the check: ``changed`` on its guest, ``unchanged`` on the
    control (which meets no expectation of the published effects)."""
    for effect in outcome.check.driver.effects:
        control = ControlValue(unchanged, "ctl", ()) if effect.control else None
        outcome.evidence.append(Evidence(effect, changed, control))
    return outcome


def test_nothing_passes_without_an_observed_effect() -> None:
    [record] = records(outcome_for(AC97, schema=LayerStatus.PASSED,
                                   semantic=LayerStatus.PASSED), ENV)
    assert record.result is Status.FAILED
    assert record.reason == "nothing was observed, so nothing can pass"


def test_effect_passes_and_failure_names_the_layer() -> None:
    [ok] = records(observe_all(outcome_for(AC97, schema=LayerStatus.PASSED,
                                           effect=LayerStatus.PASSED)), ENV)
    assert ok.result is Status.PASSED
    [bad] = records(outcome_for(AC97, schema=LayerStatus.FAILED), ENV)
    assert (bad.result, bad.reason) == (Status.FAILED, "schema: schema detail")


PROBING = "Failed to start QEMU binary x for probing: y"


def test_declared_failure_must_look_as_declared() -> None:
    key = "kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"
    outcome = outcome_for(key)
    outcome.record("run", LayerStatus.FAILED, PROBING, said=PROBING)
    assert {r.result for r in records(outcome, ENV)} == {Status.EXPECTED_FAILURE}
    other = outcome_for(key)
    other.record("run", LayerStatus.FAILED, "connection reset", said="connection reset")
    assert {r.result for r in records(other, ENV)} == {Status.FAILED}


def test_a_declared_failure_is_matched_only_against_the_products_words_in_its_layer() -> None:
    key = "kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"
    harness = outcome_for(key)  # the harness's sentence has the text, the product said nothing
    harness.record("run", LayerStatus.FAILED, PROBING)
    [driver, *_] = records(harness, ENV)
    assert driver.result is Status.FAILED
    assert "the harness reported it" in (driver.reason or "")
    elsewhere = outcome_for(key)  # the product's words, but in another layer than declared
    elsewhere.record("semantic", LayerStatus.FAILED, PROBING, said=PROBING)
    [driver, *_] = records(elsewhere, ENV)
    assert driver.result is Status.FAILED
    assert "declared in the run layer, and this failure is in the semantic layer" in (
        driver.reason or "")


class FakeDaemon:
    """Enough of a daemon for the reuse logic; running anything on it is an error."""

    uri = "qemu:///nowhere"
    domain_type = "kvm"

    @contextmanager
    def checked_uri(self) -> Iterator[str]:
        yield self.uri

    environment = ENV


def test_rerun_reuses_conclusive_results_and_reruns_changed_or_failed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checks = plan_checks(SNIPPETS)
    ledger = Ledger()
    for check in checks:
        outcome = Outcome(check, "bookworm", now() - timedelta(hours=1))
        declared = declared_failure(check.driver, "bookworm")
        if declared:
            # fail the way the spec declares, where it says how
            said = f"QEMU binary for probing failed {declared.contains}"
            outcome.record(declared.layer, LayerStatus.FAILED, said, said=said)
        else:
            outcome.record("effect" if check.driver.effects else "run", LayerStatus.PASSED, "ok")
            observe_all(outcome)
        for record in records(outcome, ENV):
            ledger.add(record)
    ran: list[str] = []

    class Recorder:
        lost = None

        def __init__(self, check, daemon, target, guest, **_options):  # type: ignore[no-untyped-def]
            self.check = check

        def run(self) -> Outcome:
            ran.append(self.check.key)
            outcome = Outcome(self.check, "bookworm", now())
            outcome.layers["effect"] = Layer(LayerStatus.PASSED, "ok")
            return outcome

    monkeypatch.setattr(runner_module, "Procedure", Recorder)
    result = run_target(FakeDaemon(), checks, ledger, force=False, jobs=2, log=lambda _: None)
    assert ran == [] and result.reused == len(checks)
    # a failed record is re-run; so is everything with --force
    failed = checks[0].members[0].snippet
    old = ledger.records[(failed, "bookworm")]
    ledger.records[(failed, "bookworm")] = type(old)(**{**old.__dict__, "result": Status.FAILED})
    run_target(FakeDaemon(), checks, ledger, force=False, jobs=1, log=lambda _: None)
    assert ran == [checks[0].key]
    ran.clear()
    run_target(FakeDaemon(), checks, ledger, force=True, jobs=2, log=lambda _: None)
    assert sorted(ran) == sorted(c.key for c in checks)


def test_summary_line() -> None:
    result = runner_module.RunResult()
    assert result.summary() == ("0 passed, 0 failed, 0 expected-failure, 0 not-verifiable, "
                                "0 indistinct, 0 uncontrolled, 0 unchecked, "
                                "0 baseline-changed, 0 mutant-survived")


def test_cli_merge(tmp_path: Path) -> None:
    check = next(c for c in plan_checks(SNIPPETS) if c.key == AC97)
    for name, hours in (("a.json", 2), ("b.json", 1)):
        ledger = Ledger()
        outcome = Outcome(check, "bookworm", now() - timedelta(hours=hours))
        outcome.record("effect", LayerStatus.PASSED if name == "b.json" else LayerStatus.FAILED,
                       "x")
        observe_all(outcome)
        # b.json's run started later on the same machine: its result replaces a.json's
        for record in records(outcome, ENV, Run((hours == 1 and 2) or 1, name, "m1")):
            ledger.add(record)
        write_ledger(ledger, tmp_path / name)
    done = subprocess.run(
        [sys.executable, "-m", "relnotes.cli", "verify", "merge", str(tmp_path / "a.json"),
         str(tmp_path / "b.json"), "-o", str(tmp_path / "out.json")],
        env={"PYTHONPATH": str(ROOT / "_ext")}, capture_output=True, text=True, check=True)
    assert "1 records" in done.stdout
    merged = load_ledger(tmp_path / "out.json")
    assert merged.status(AC97, check.sha256(AC97), "bookworm").status is Status.PASSED
    assert json.loads((tmp_path / "out.json").read_text().splitlines()[0])["format"] == 3


class DeadDaemon(FakeDaemon):
    """A daemon that died: nothing answers, and it says so."""

    uri = "qemu:///system?socket=/nonexistent/libvirt-sock"

    def exec(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        raise ConnectionError("container is gone")

    def write_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        raise ConnectionError("container is gone")

    def is_alive(self) -> bool:
        return False

    def sandbox_problem(self) -> None:
        return None


def test_a_dead_daemon_fails_the_check_never_passes() -> None:
    from relnotes.engine.procedure import Procedure

    check = next(c for c in plan_checks(SNIPPETS) if c.key == AC97)
    outcome = Procedure(check, DeadDaemon(), "bookworm", "g").run()  # type: ignore[arg-type]
    [record] = records(outcome, ENV)
    assert record.result is Status.FAILED
    assert "the libvirt daemon died during the check" in (record.reason or "")


def test_an_effect_that_also_holds_on_its_control_is_indistinct() -> None:
    outcome = observe_all(outcome_for(AC97, effect=LayerStatus.PASSED),
                          changed=["8086:2415"], unchanged=["8086:2415"])
    [record] = records(outcome, ENV)
    assert record.result is Status.INDISTINCT
    assert record.reason == ("pci-ids = ['8086:2415'] on the changed guest, and ['8086:2415'] on "
                             "the control guest meets the same expectation")


def test_effects_without_a_control_are_uncontrolled_with_their_reason() -> None:
    key = "kvm/kvm-rtl8139-performance/define-new-guest.virsh"
    outcome = outcome_for(key, effect=LayerStatus.PASSED)
    for effect in outcome.check.driver.effects:
        if effect.control is None:
            outcome.evidence.append(Evidence(effect, True))
    [driver, *_] = records(outcome, ENV)
    assert driver.result is Status.FAILED  # the pci-ids effect, which has a control, is missing
    outcome.evidence.clear()
    for effect in outcome.check.driver.effects:
        outcome.evidence.append(Evidence(effect, True))  # its control not observed either
    [driver, *_] = records(outcome, ENV)
    assert driver.result is Status.UNCONTROLLED
    assert "new-guest exists only once the procedure defined it" in (driver.reason or "")


def test_a_check_with_no_effect_runs_without_error_but_is_unchecked(tmp_path: Path) -> None:
    (tmp_path / "_guests").mkdir()
    (tmp_path / "_guests/minimal.xml").write_text("<domain><name>@GUEST@</name></domain>")
    (tmp_path / "empty.sh").write_text("")
    (tmp_path / "empty.sh.check.toml").write_text('kind = "shell"\n')
    [check] = plan_checks(tmp_path)
    outcome = Outcome(check, "bookworm", now())
    outcome.record("run", LayerStatus.PASSED, "empty.sh ran as written (exit 0)")
    [record] = records(outcome, ENV)
    assert record.result is Status.UNCHECKED
    assert record.reason == "it ran without error; the check states no effect to observe"


def test_a_declared_failure_must_be_the_only_failure() -> None:
    key = "kvm/kvm-hwclock-drift/modern/clock.xml"
    outcome = outcome_for(key)
    outcome.accelerator = "tcg"
    outcome.record("effect", LayerStatus.FAILED, "cpu kvmclock = False: expected True",
                   said="cpu kvmclock = False")
    [alone] = records(outcome, ENV)
    assert alone.result is Status.EXPECTED_FAILURE
    assert alone.observation == "in the effect layer: cpu kvmclock = False: expected True"
    outcome.record("control", LayerStatus.FAILED, "without the change, cmdline = '...-no-hpet'")
    [both] = records(outcome, ENV)
    assert both.result is Status.FAILED
    assert "and it did, but this is another failure" in (both.reason or "")


def test_a_member_declared_to_fail_that_passes_is_a_failure() -> None:
    key = "kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"
    member = "kvm/kvm-win2008-msi-amd-family16/restore-selinux-context.sh"
    outcome = outcome_for(key)
    outcome.steps[member] = StepResult(Status.PASSED)
    result = {r.snippet: r for r in records(outcome, ENV)}[member]
    assert result.result is Status.FAILED
    assert "but it ran without error; remove the expected_failure declaration" in (
        result.reason or "")


def test_records_carry_reason_observation_adaptation_and_inputs_apart() -> None:
    key = "kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"
    outcome = outcome_for(key)
    outcome.record("run", LayerStatus.FAILED, PROBING, said=PROBING)
    [driver, *_] = records(outcome, ENV, Run(7, "abc"))
    assert driver.reason is not None and driver.reason.startswith("libvirt probes every emulator")
    assert driver.observation == "in the run layer: Failed to start QEMU binary x for probing: y"
    assert (driver.run_sequence, driver.run_id) == (7, "abc")
    assert {"engine", "environment definition bookworm",
            "base guest _guests/rhel5-emulator.xml"} <= set(driver.inputs)
    e1000 = next(c for c in plan_checks(SNIPPETS)
                 if c.key == "kvm/kvm-rtl8139-performance/edit-guest.virsh")
    [edit, _fragment] = records(observe_all(Outcome(e1000, "bookworm", now())), ENV)
    assert edit.adaptation is not None and "type='user'" in edit.adaptation


def test_a_run_with_nothing_changed_starts_no_daemon(tmp_path: Path) -> None:
    checks = plan_checks(SNIPPETS)
    ledger = Ledger()
    for check in checks:
        outcome = observe_all(Outcome(check, "bookworm", now() - timedelta(hours=1)))
        declared = declared_failure(check.driver, "bookworm")
        if declared:
            said = f"failed: {declared.contains}"
            outcome.record(declared.layer, LayerStatus.FAILED, said, said=said)
        else:
            outcome.record("effect" if check.driver.effects else "run", LayerStatus.PASSED, "ok")
        for record in records(outcome, ENV):
            ledger.add(record)
    write_ledger(ledger, tmp_path / "ledger.json")
    started: list[str] = []

    def factory(target: str) -> Any:
        started.append(target)
        raise ConnectionError("no daemon in this test")

    result = runner_module.run(SNIPPETS, tmp_path, ["bookworm"], factory,
                               identity=lambda _target: ImageIdentity(ENV.image_id, ENV.accelerator),
                               log=lambda _line: None)
    assert started == [] and result.reused == len(checks)
    # another image (a rebuilt container) means the daemon must run
    with pytest.raises(runner_module.TargetsFailedError, match="no daemon in this test"):
        runner_module.run(SNIPPETS, tmp_path, ["bookworm"], factory,
                          identity=lambda _target: ImageIdentity("other-image", ENV.accelerator),
                          log=lambda _line: None)
    assert started == ["bookworm"]


def test_every_run_names_this_machine_by_a_stable_digest_that_reveals_nothing() -> None:
    first, second = runner_module.new_run(Ledger()), runner_module.new_run(Ledger())
    assert first.machine == second.machine and first.id != second.id
    assert len(first.machine) == 16 and int(first.machine, 16) >= 0
    assert socket.gethostname() not in first.machine
