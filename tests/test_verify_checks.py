"""The real checks against containerised libvirt: the kvm snippets, and broken copies going red."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from relnotes.core.ledger import Ledger, LedgerError, Record, Status, load_ledger, now, write_ledger
from relnotes.core.plan import plan_checks
from relnotes.core.spec import SpecError
from relnotes.engine.container import RunningDaemon
from relnotes.engine.runner import run_target

ROOT = Path(__file__).parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken-snippets"
VACUOUS = Path(__file__).parent / "fixtures" / "vacuous-snippets"


def results(daemon: RunningDaemon, snippets: Path) -> dict[str, Record]:
    run = run_target(daemon, plan_checks(snippets), Ledger(), force=True, jobs=2,
                     log=lambda _line: None)
    return {record.snippet: record for record in run.records}


@pytest.fixture(scope="session")
def broken(libvirt_daemon: RunningDaemon) -> dict[str, Record]:
    return results(libvirt_daemon, BROKEN)


@pytest.fixture(scope="session")
def published(libvirt_daemon: RunningDaemon) -> dict[str, Record]:
    return results(libvirt_daemon, ROOT / "snippets")


def test_wrong_nic_model_fails_the_effect(broken: dict[str, Record]) -> None:
    record = broken["kvm/e1000-wrong-model/edit-guest.virsh"]
    assert record.result is Status.FAILED
    assert record.reason is not None and "expected to contain '8086:100e'" in record.reason
    assert record.layers["schema"].status.value == "passed"  # valid XML, wrong effect
    assert broken["kvm/e1000-wrong-model/interface-model.xml"].result is Status.FAILED


def test_malformed_xml_names_file_line_and_column(broken: dict[str, Record]) -> None:
    record = broken["kvm/malformed/sound.xml"]
    assert record.result is Status.FAILED
    assert record.reason is not None
    assert "kvm/malformed/sound.xml:3:" in record.reason and "sund" in record.reason


def test_schema_invalid_fragment_fails_the_schema_layer(broken: dict[str, Record]) -> None:
    record = broken["kvm/schema/sound.xml"]
    assert record.result is Status.FAILED
    assert record.layers["schema"].status.value == "failed"
    assert "virt-xml-validate exited" in (record.reason or "")
    assert "effect" not in record.layers


def test_failing_shell_script(broken: dict[str, Record]) -> None:
    record = broken["kvm/shell/fails.sh"]
    assert record.result is Status.FAILED
    assert "exited 1 (expected 0): about to fail" in (record.reason or "")


def test_console_transcripts(broken: dict[str, Record]) -> None:
    # it runs and matches, but shows no effect: never "verified"
    assert broken["kvm/console/ok.console"].result is Status.UNCHECKED
    record = broken["kvm/console/mismatch.console"]
    assert record.result is Status.FAILED
    assert "-goodbye" in (record.reason or "") and "+hello" in (record.reason or "")


def test_hanging_snippet_is_killed_at_its_timeout(broken: dict[str, Record]) -> None:
    record = broken["kvm/hang/sleeps.sh"]
    assert record.result is Status.FAILED
    assert "killed" in (record.reason or "") and record.duration < 30


def test_declared_failure_that_does_not_happen_fails(broken: dict[str, Record]) -> None:
    record = broken["kvm/xfail/sound.xml"]
    assert record.result is Status.FAILED
    assert "remove the expected_failure declaration" in (record.reason or "")


def test_e1000_procedures_pass_with_their_control(published: dict[str, Record]) -> None:
    for key in ("kvm/kvm-rtl8139-performance/edit-guest.virsh",
                "kvm/kvm-rtl8139-performance/interface-model-e1000.xml",
                "kvm/kvm-rtl8139-performance/define-new-guest.virsh"):
        record = published[key]
        assert record.result is Status.PASSED, record.reason
        assert record.layers["control"].status.value == "passed"
    effect = published["kvm/kvm-rtl8139-performance/define-new-guest.virsh"].layers["effect"]
    assert "['mac', 'uuid']" in effect.detail


def test_family16_wrapper_fails_as_declared(published: dict[str, Record]) -> None:
    record = published["kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"]
    assert record.result is Status.EXPECTED_FAILURE
    assert "for probing" in (record.reason or "")
    restorecon = published["kvm/kvm-win2008-msi-amd-family16/restore-selinux-context.sh"]
    assert restorecon.result is Status.EXPECTED_FAILURE
    assert "restorecon: not found" in (restorecon.observation or "")  # apart from the reason
    modern = published["kvm/kvm-win2008-msi-amd-family16/modern/cpu-family-16.xml"]
    assert modern.result is Status.PASSED
    assert modern.layers["effect"].detail == "cpu family = 16"


def test_no_published_snippet_fails(published: dict[str, Record]) -> None:
    failed = {key: r.reason for key, r in published.items() if r.result is Status.FAILED}
    assert failed == {}
    not_verifiable = {k for k, r in published.items() if r.result is Status.NOT_VERIFIABLE}
    assert "kvm/kvm-kmod-module-loading/load-modules.sh" in not_verifiable


def test_a_domain_xml_with_the_wrong_device_fails_its_effect(broken: dict[str, Record]) -> None:
    record = broken["kvm/domain-xml/guest.xml"]
    assert record.result is Status.FAILED
    assert "effect: pci-ids = [" in (record.reason or "")
    assert "expected to contain '8086:2415'" in (record.reason or "")


def test_schema_valid_xml_libvirt_refuses_fails_the_semantic_layer(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/semantic/topology.xml"]
    assert record.result is Status.FAILED
    assert record.layers["schema"].status.value == "passed"
    assert record.layers["semantic"].status.value == "failed"
    assert (record.reason or "").startswith("semantic: ")
    assert "define (VALIDATE) refused it" in (record.reason or "")


def test_a_failing_setup_fails_before_anything_else(broken: dict[str, Record]) -> None:
    record = broken["kvm/setup-fails/sound.xml"]
    assert record.result is Status.FAILED
    assert "setup: sh -c 'echo setup-broke >&2; exit 4' exited 4: setup-broke" in (
        record.reason or "")
    assert "effect" not in record.layers


def test_output_that_differs_from_expect_output_fails(broken: dict[str, Record]) -> None:
    record = broken["kvm/output/greets.sh"]
    assert record.result is Status.FAILED
    assert "kvm/output/greets.sh: output differs" in (record.reason or "")
    assert "-goodbye" in (record.reason or "") and "+hello" in (record.reason or "")


def test_a_control_whose_own_expectation_fails_is_a_changed_baseline_not_a_failure(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/control-fails/sound.xml"]
    assert record.result is Status.BASELINE_CHANGED
    assert record.layers["effect"].status.value == "passed"
    assert (record.reason or "").startswith("the baseline changed: without the snippet, "
                                            "pci-ids = ")
    assert "expected to contain '8086:2415'" in (record.reason or "")


def test_the_nx_fragment_with_its_nx_line_deleted_is_not_green(
        broken: dict[str, Record]) -> None:
    # Its control is the same guest without the fragment, whose vCPU has NX too: the stated
    # baseline (no NX) is not what the unchanged guest shows.
    record = broken["kvm/nx-line-deleted/cpu-nx.xml"]
    assert record.result is Status.BASELINE_CHANGED, record.reason
    assert "without the snippet, cpu nx = True: expected False" in (record.reason or "")


def test_an_identity_only_discriminator_is_not_green(broken: dict[str, Record]) -> None:
    # QEMU's command line names the guest; normalised, the guest and its control agree.
    record = broken["kvm/identity-only/noop.xml"]
    assert record.result is Status.BASELINE_CHANGED, record.reason
    assert "expected to contain '-ctl'" in (record.reason or "")
    control = record.layers["control"].detail
    assert "guest=@GUEST@" in control and "guest=rn-" not in control
    assert "guest=@GUEST@" in record.layers["effect"].detail


def test_a_procedure_with_a_skipped_published_step_is_not_green(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/skipped-step/attach-nic.virsh"]
    assert record.layers["effect"].status.value == "passed"  # the effect itself showed
    assert record.result is Status.NOT_VERIFIABLE
    assert record.reason == ("the published step kvm/skipped-step/load-module.sh was not run "
                             "(the container cannot load host kernel modules), so the procedure "
                             "as published was not verified")
    assert broken["kvm/skipped-step/load-module.sh"].result is Status.NOT_VERIFIABLE


def test_a_failure_unlike_its_declaration_is_a_plain_failure(broken: dict[str, Record]) -> None:
    record = broken["kvm/wrong-failure-text/fails.sh"]
    assert record.result is Status.FAILED
    assert "exited 3 (expected 0): the real trouble" in (record.reason or "")
    assert "but not like this: the failure lacks 'the declared trouble'" in (record.reason or "")


def test_a_timeout_declared_by_the_harnesss_words_is_no_known_failure(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/harness-words/sleeps.sh"]
    assert record.result is Status.FAILED
    assert "killed" in (record.reason or "")
    assert "the harness reported it, and a declared failure is matched only against what " \
           "libvirt, QEMU or the published command printed" in (record.reason or "")


def test_an_effect_declared_by_the_harnesss_words_is_no_known_failure(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/effect-words/sound.xml"]
    assert record.result is Status.FAILED
    assert "expected to contain '8086:9999'" in (record.reason or "")  # the harness's words
    assert "but not like this: the failure lacks 'expected'" in (record.reason or "")


def test_an_effect_the_unchanged_guest_shows_too_is_not_verified(
        broken: dict[str, Record]) -> None:
    record = broken["kvm/indistinct/cpu-nx.xml"]
    assert record.result is Status.INDISTINCT
    assert record.reason == ("cpu nx = True on the changed guest, and True on the control guest "
                             "meets the same expectation")
    assert "the effect's expectation holds here too" in record.layers["control"].detail


def test_an_empty_snippet_runs_but_is_unchecked(broken: dict[str, Record]) -> None:
    record = broken["kvm/unchecked/empty.sh"]
    assert record.result is Status.UNCHECKED
    assert record.reason == "it ran without error; the check states no effect to observe"


def test_a_vacuous_spec_is_refused_before_any_check_runs(libvirt_daemon: RunningDaemon) -> None:
    with pytest.raises(SpecError, match=r"sound\.xml\.check\.toml:8: effects\[0\]\.contains: "
                       "is an empty list, which every value meets"):
        run_target(libvirt_daemon, plan_checks(VACUOUS), Ledger(), force=True, jobs=1,
                   log=lambda _line: None)


@pytest.mark.parametrize("changed", ["kvm/control-fails/sound.xml.check.toml",
                                     "_guests/minimal.xml"])
def test_a_real_record_goes_stale_when_its_spec_or_base_guest_changes(
        broken: dict[str, Record], tmp_path: Path, changed: str) -> None:
    key = "kvm/control-fails/sound.xml"
    record = broken[key]
    copy = tmp_path / "snippets"
    shutil.copytree(BROKEN, copy)
    [check] = [c for c in plan_checks(copy) if c.key == key]
    ledger = Ledger()
    ledger.add(record)
    assert ledger.status(key, check.sha256(key), record.target,
                         check.inputs(record.target)).status is record.result
    (copy / changed).write_text((copy / changed).read_text() + "\n# edited\n")
    stale = ledger.status(key, check.sha256(key), record.target, check.inputs(record.target))
    assert stale.status is Status.STALE
    kind = "spec" if changed.endswith(".toml") else "base guest"
    assert (stale.reason or "").startswith(f"{kind} {changed} changed since it was verified")


def test_a_real_record_dated_in_the_future_is_refused(broken: dict[str, Record],
                                                      tmp_path: Path) -> None:
    record = broken["kvm/output/greets.sh"]
    ledger = Ledger()
    ledger.add(replace(record, verified_at=now() + timedelta(hours=3)))
    write_ledger(ledger, tmp_path / "ledger.json")
    assert json.loads((tmp_path / "ledger.json").read_text().splitlines()[0])["format"] == 3
    with pytest.raises(LedgerError, match=r"records\[0\]: kvm/output/greets\.sh on "
                       f"{record.target} is dated .* in the future"):
        load_ledger(tmp_path / "ledger.json")


def test_nx_shows_no_difference_and_its_symptom_is_absent(published: dict[str, Record]) -> None:
    record = published["kvm/kvm-migration-nx/modern/cpu-nx.xml"]
    assert record.result is Status.NOT_VERIFIABLE, record.reason
    assert (record.reason or "").startswith("no observable difference on these versions")
    assert record.layers["semantic"].status.value == "passed"  # libvirt accepts the fragment
    assert record.symptom is not None
    assert (record.symptom.probe, record.symptom.problem) == ("cpu nx", "equals False")
    assert (record.symptom.value, record.symptom.present) == ("True", False)


@pytest.mark.parametrize("key", ["kvm/kvm-rtl8139-performance/edit-guest.virsh",
                                 "kvm/kvm-rtl8139-performance/define-new-guest.virsh",
                                 "kvm/kvm-mixed-disk-boot-order/modern/boot-order.xml"])
def test_a_symptom_the_unchanged_guest_shows_is_recorded_present(
        published: dict[str, Record], key: str) -> None:
    record = published[key]
    assert record.symptom is not None, record.log[-2000:]
    assert record.symptom.present, record.symptom


def test_only_specs_that_state_a_symptom_record_one(published: dict[str, Record]) -> None:
    checks = {c.key: c for c in plan_checks(ROOT / "snippets")}
    for key, record in published.items():
        check = checks.get(record.check)
        assert check is not None
        assert (record.symptom is not None) == (check.driver.symptom is not None), key


def test_a_step_stated_to_fail_must_fail_with_its_text(broken: dict[str, Record]) -> None:
    record = broken["kvm/step-text/fails.sh"]
    assert record.result is Status.FAILED
    assert "kvm/step-text/fails.sh exited 3 as stated, but its output lacks 'the stated " \
           "trouble': some other trouble" in (record.reason or "")


NOOP_FRAGMENT = "<description>changes nothing the guest runs with</description>\n"


def noop_copy(root: Path) -> list[str]:
    """The published snippets, each driver with effects replaced by a no-op under its own
    spec and effects: a fragment that is only a <description> (applied to /domain, where it
    is valid), a script that is only `true`. Returns the drivers replaced."""
    shutil.copytree(ROOT / "snippets", root)
    replaced = []
    for check in plan_checks(root):
        spec = check.driver
        if not spec.effects or spec.not_verifiable:
            continue
        snippet, toml = root / spec.snippet, spec.file
        if spec.apply is not None:
            snippet.write_text(NOOP_FRAGMENT)
            lines, skipping = [], False
            for line in toml.read_text().splitlines():
                if line.strip() == "[apply]":
                    skipping = True
                    lines += ["[apply]", 'mode = "append"', 'target = "/domain"']
                    continue
                if skipping and line.startswith("["):
                    skipping = False
                if not skipping:
                    lines.append(line)
            toml.write_text("\n".join(lines) + "\n")
        else:
            snippet.write_text("true\n")
        replaced.append(spec.snippet)
    return replaced


def test_a_no_op_under_every_published_specs_effects_is_not_green(
        libvirt_daemon: RunningDaemon, tmp_path: Path) -> None:
    replaced = noop_copy(tmp_path / "snippets")
    assert len(replaced) >= 9  # every published check that observes effects
    records = results(libvirt_daemon, tmp_path / "snippets")
    green = {key: records[key].reason for key in replaced
             if records[key].result is Status.PASSED}
    assert green == {}
