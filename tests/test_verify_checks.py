"""The real checks against containerised libvirt: the kvm snippets, and broken copies going red."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.core.ledger import Ledger, Record, Status
from relnotes.engine.container import RunningDaemon
from relnotes.engine.plan import plan_checks
from relnotes.engine.runner import run_target

ROOT = Path(__file__).parent.parent
BROKEN = Path(__file__).parent / "fixtures" / "broken-snippets"


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
    assert broken["kvm/console/ok.console"].result is Status.PASSED
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
    assert "restorecon: not found" in (restorecon.reason or "")
    modern = published["kvm/kvm-win2008-msi-amd-family16/modern/cpu-family-16.xml"]
    assert modern.result is Status.PASSED
    assert modern.layers["effect"].detail == "cpu family = 16"


def test_no_published_snippet_fails(published: dict[str, Record]) -> None:
    failed = {key: r.reason for key, r in published.items() if r.result is Status.FAILED}
    assert failed == {}
    not_verifiable = {k for k, r in published.items() if r.result is Status.NOT_VERIFIABLE}
    assert "kvm/kvm-kmod-module-loading/load-modules.sh" in not_verifiable
