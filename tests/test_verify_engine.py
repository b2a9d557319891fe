"""The engine without a daemon: fragments and edits, transcripts, verdicts, reuse, CLI merge."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from relnotes.ledger import (
    Environment,
    Layer,
    LayerStatus,
    Ledger,
    Status,
    load_ledger,
    now,
    write_ledger,
)
from relnotes.spec import Apply, ApplyMode, Edit, declared_failure
from relnotes.verify import runner as runner_module
from relnotes.verify.plan import plan_checks
from relnotes.verify.procedure import Outcome
from relnotes.verify.runner import run_target
from relnotes.verify.transcript import matches, parse_transcript
from relnotes.verify.verdict import records
from relnotes.verify.xmledit import XmlError, apply_edit, apply_fragment, same_xml

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


ENV = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "img", "libvirt 9.0.0 / QEMU 7.2.0 (KVM)")
AC97 = "kvm/kvm-win7-ac97/modern/ac97-sound.xml"


def test_nothing_passes_without_an_observed_effect() -> None:
    [record] = records(outcome_for(AC97, schema=LayerStatus.PASSED,
                                   semantic=LayerStatus.PASSED), ENV)
    assert record.result is Status.FAILED
    assert record.reason == "nothing was observed, so nothing can pass"


def test_effect_passes_and_failure_names_the_layer() -> None:
    [ok] = records(outcome_for(AC97, schema=LayerStatus.PASSED, effect=LayerStatus.PASSED), ENV)
    assert ok.result is Status.PASSED
    [bad] = records(outcome_for(AC97, schema=LayerStatus.FAILED), ENV)
    assert (bad.result, bad.reason) == (Status.FAILED, "schema: schema detail")


def test_declared_failure_must_look_as_declared() -> None:
    key = "kvm/kvm-win2008-msi-amd-family16/edit-guest.virsh"
    outcome = outcome_for(key)
    outcome.record("run", LayerStatus.FAILED, "Failed to start QEMU binary x for probing: y")
    assert {r.result for r in records(outcome, ENV)} == {Status.EXPECTED_FAILURE}
    other = outcome_for(key)
    other.record("run", LayerStatus.FAILED, "connection reset")
    assert {r.result for r in records(other, ENV)} == {Status.FAILED}


class FakeDaemon:
    """Enough of a daemon for the reuse logic; running anything on it is an error."""

    uri = "qemu:///nowhere"
    domain_type = "kvm"

    @contextmanager
    def checked_uri(self) -> Iterator[str]:
        yield self.uri

    class environment:
        target, libvirt_version, qemu_version = "bookworm", "9.0.0", "7.2.0"
        accelerator, image_id = "kvm", "img"

        @staticmethod
        def label() -> str:
            return ENV.label


def test_rerun_reuses_conclusive_results_and_reruns_changed_or_failed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checks = plan_checks(SNIPPETS)
    ledger = Ledger()
    for check in checks:
        outcome = Outcome(check, "bookworm", now() - timedelta(hours=1))
        declared = declared_failure(check.driver, "bookworm")
        if declared:
            # fail the way the spec declares, where it says how
            outcome.record("run", LayerStatus.FAILED, f"QEMU binary for probing failed {declared[2]}")
        else:
            outcome.record("effect" if check.driver.effects else "run", LayerStatus.PASSED, "ok")
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
    assert result.summary() == "0 passed, 0 failed, 0 expected-failure, 0 not-verifiable"


def test_cli_merge(tmp_path: Path) -> None:
    check = next(c for c in plan_checks(SNIPPETS) if c.key == AC97)
    for name, hours in (("a.json", 2), ("b.json", 1)):
        ledger = Ledger()
        outcome = Outcome(check, "bookworm", now() - timedelta(hours=hours))
        outcome.record("effect", LayerStatus.PASSED if name == "b.json" else LayerStatus.FAILED,
                       "x")
        for record in records(outcome, ENV):
            ledger.add(record)
        write_ledger(ledger, tmp_path / name)
    done = subprocess.run(
        [sys.executable, "-m", "relnotes.verify", "merge", str(tmp_path / "a.json"),
         str(tmp_path / "b.json"), "-o", str(tmp_path / "out.json")],
        env={"PYTHONPATH": str(ROOT / "_ext")}, capture_output=True, text=True, check=True)
    assert "1 records" in done.stdout
    merged = load_ledger(tmp_path / "out.json")
    assert merged.status(AC97, check.sha256(AC97), "bookworm").status is Status.PASSED
    assert json.loads((tmp_path / "out.json").read_text())["format"] == 1


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
    from relnotes.verify.procedure import Procedure

    check = next(c for c in plan_checks(SNIPPETS) if c.key == AC97)
    outcome = Procedure(check, DeadDaemon(), "bookworm", "g").run()  # type: ignore[arg-type]
    [record] = records(outcome, ENV)
    assert record.result is Status.FAILED
    assert "the libvirt daemon died during the check" in (record.reason or "")
