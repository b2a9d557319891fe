"""Drift between two ledgers: what became failing, passing, not needed or stale, and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from relnotes.cli import main
from relnotes.core.environment import Environment
from relnotes.core.ledger import (
    RECORDED,
    Layer,
    LayerStatus,
    Ledger,
    Record,
    Status,
    SymptomObservation,
    sha256_of,
    write_ledger,
)
from relnotes.core.plan import plan_loadable_checks
from relnotes.core.results import is_green
from relnotes.engine.drift import Drift, compare, markdown_report, not_needed, text_report

OLD_ENV = Environment("trixie-backports", "12.9.0", "11.1.3", "kvm", "sha256:a")
NEW_ENV = Environment("trixie-backports", "12.10.0", "11.2.0", "kvm", "sha256:b")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def record(snippet: str, result: Status, *, env: Environment = OLD_ENV, sha: str = "s1",
           reason: str | None = None, control: LayerStatus | None = LayerStatus.PASSED,
           at: datetime = T0) -> Record:
    layers = {"effect": Layer(LayerStatus.PASSED if result is Status.PASSED else
                              LayerStatus.FAILED, "pci-ids = '8086:100e'")}
    if control is not None:
        layers["control"] = Layer(control, "without the change, pci-ids = '8086:100e': "
                                  "lacks 10ec:8139")
    return Record(snippet, sha, "i1", result, reason, layers, env, at, 1.0, "", snippet)


def ledger(*records: Record) -> Ledger:
    result = Ledger()
    for item in records:
        result.add(item)
    return result


LATER = T0 + timedelta(days=7)


def test_a_passing_snippet_that_now_fails_became_failing() -> None:
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)),
                     ledger(record("kvm/a.xml", Status.FAILED, env=NEW_ENV, at=LATER,
                                   reason="semantic: unsupported configuration: rtl8139")))
    [change] = report.changes
    assert (change.drift, change.before, change.after) == (Drift.FAILING, "passed", "failed")
    assert change.detail == ("libvirt 12.9.0 / QEMU 11.1.3 (KVM) -> libvirt 12.10.0 / "
                             "QEMU 11.2.0 (KVM): semantic: unsupported configuration: rtl8139")
    assert report.needs_attention


def test_a_failure_that_now_passes_became_passing_and_needs_no_attention() -> None:
    report = compare(ledger(record("kvm/a.xml", Status.FAILED, reason="boom")),
                     ledger(record("kvm/a.xml", Status.PASSED, at=LATER)))
    assert [c.drift for c in report.changes] == [Drift.PASSING]
    assert not report.needs_attention


def test_a_passing_snippet_now_indistinct_is_no_longer_shown_to_work_and_needs_attention(
        ) -> None:
    new = record("kvm/a.xml", Status.INDISTINCT, at=LATER, reason="the control shows it too")
    symptom = SymptomObservation("pci-ids", "lacks '8086:100e'", "['8086:100e']", False)
    new = replace(new, symptom=symptom)
    assert not_needed(new)
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)), ledger(new))
    [change] = report.changes
    assert (change.drift, change.after) == (Drift.NOT_SHOWN, "indistinct")
    assert change.detail.startswith("not needed: the issue's symptom is absent")
    assert report.needs_attention and change.needs_attention


def test_a_failed_record_whose_control_layer_failed_is_a_failure_never_not_needed() -> None:
    # the control could not be observed at all (the guest was not running): still a failure
    failed = record("kvm/a.xml", Status.FAILED, at=LATER, control=LayerStatus.FAILED,
                    reason="control: guest not running")
    failed = replace(failed, layers={**failed.layers,
                                     "effect": Layer(LayerStatus.PASSED, "seen")})
    assert not not_needed(failed)
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)), ledger(failed))
    [change] = report.changes
    assert (change.drift, change.after, change.needs_attention) == (
        Drift.FAILING, "failed", True)


@pytest.mark.parametrize("after", [
    Status.FAILED, Status.INDISTINCT, Status.UNCONTROLLED, Status.UNCHECKED,
    Status.BASELINE_CHANGED, Status.MUTANT_SURVIVED])
def test_every_move_from_green_to_not_green_needs_attention(after: Status) -> None:
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)),
                     ledger(record("kvm/a.xml", after, at=LATER, reason="r")))
    assert report.needs_attention, after


def test_an_absent_symptom_means_not_needed() -> None:
    symptom = SymptomObservation("nic-models", "contains 'rtl8139'", "['e1000']", False)
    new = replace(record("kvm/a.xml", Status.PASSED, at=LATER), symptom=symptom)
    assert not_needed(new)
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)), ledger(new))
    [change] = report.changes
    # the same (green) result: said, but nothing needs attention
    assert (change.drift, change.after) == (Drift.NOT_NEEDED, "passed")
    assert not report.needs_attention
    assert change.detail == ("not needed: the issue's symptom is absent on the unchanged guest: "
                             "nic-models = ['e1000'] (the problem: contains 'rtl8139')")


def test_a_changed_baseline_or_a_present_or_missing_symptom_is_never_not_needed() -> None:
    # the control's own expectation failing is a changed baseline, never "not needed"
    assert not not_needed(record("kvm/a.xml", Status.BASELINE_CHANGED,
                                 control=LayerStatus.FAILED))
    assert not not_needed(record("kvm/a.xml", Status.PASSED, control=None))
    present = SymptomObservation("nic-models", "contains 'rtl8139'", "['rtl8139']", True)
    assert not not_needed(replace(record("kvm/a.xml", Status.PASSED), symptom=present))


def test_a_snippet_whose_bytes_changed_became_stale() -> None:
    old = ledger(record("kvm/a.xml", Status.PASSED, sha="s2"))
    assert compare(old, old, current={"kvm/a.xml": "s2"}).changes == ()
    assert "no drift" in compare(old, old, current={"kvm/a.xml": "s2"}).summary()
    # the new ledger's record is of bytes the snippet no longer has
    new = ledger(record("kvm/a.xml", Status.PASSED, sha="s1", at=LATER))
    [change] = compare(old, new, current={"kvm/a.xml": "s2"}).changes
    assert (change.drift, change.before, change.after) == (Drift.STALE, "passed", "stale")
    assert change.detail == "the snippet changed since it was verified on 2026-11-08"


def test_a_result_the_new_run_lacks_is_no_longer_verified() -> None:
    report = compare(ledger(record("kvm/a.xml", Status.PASSED)), Ledger())
    [change] = report.changes
    assert (change.drift, change.after, change.detail) == (
        Drift.GONE, "missing", "the new run has no result for it")
    assert report.needs_attention


def test_targets_restrict_the_comparison() -> None:
    bookworm = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "x")
    old = ledger(record("kvm/a.xml", Status.PASSED), record("kvm/a.xml", Status.PASSED,
                                                            env=bookworm))
    new = ledger(record("kvm/a.xml", Status.PASSED, at=LATER))
    assert [c.target for c in compare(old, new).changes] == ["bookworm"]
    assert compare(old, new, targets={"trixie-backports"}).changes == ()


def test_reports_list_attention_first_in_text_and_markdown() -> None:
    old = ledger(record("kvm/a.xml", Status.FAILED, reason="x"),
                 record("kvm/b.xml", Status.PASSED))
    new = ledger(record("kvm/a.xml", Status.PASSED, at=LATER),
                 record("kvm/b.xml", Status.FAILED, at=LATER, reason="run: exit | 1\nmore"))
    report = compare(old, new)
    text = text_report(report)
    assert text.index("became failing (1):") < text.index("became passing (1):")
    assert "  trixie-backports: kvm/b.xml: passed -> failed;" in text
    markdown = markdown_report(report)
    assert "### Became failing (1)" in markdown
    row = next(line for line in markdown.splitlines() if "`kvm/b.xml`" in line)
    assert row.endswith("run: exit \\| 1 |")  # one line, the pipe escaped


def write(path: Path, *records: Record) -> Path:
    write_ledger(ledger(*records), path)
    return path


def test_cli_exits_1_on_drift_and_writes_markdown_and_junit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", record("kvm/a.xml", Status.PASSED))
    new = write(tmp_path / "new.json", record("kvm/a.xml", Status.FAILED, at=LATER, reason="x"))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    code = main(["verify", "diff", str(old), str(new), "--snippets-dir", str(tmp_path / "none"),
                 "--markdown", str(summary), "--junit", str(tmp_path / "drift.xml")])
    assert code == 1
    assert "became failing (1):" in capsys.readouterr().out
    assert summary.read_text().startswith("earlier step\n## Verification drift")
    suite = etree.parse(str(tmp_path / "drift.xml")).getroot()
    assert suite.get("failures") == "1"
    assert suite.find("testcase/failure").get("message") == "passed -> failed"


def test_cli_exits_0_when_nothing_needs_attention(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", record("kvm/a.xml", Status.FAILED, reason="x"))
    new = write(tmp_path / "new.json", record("kvm/a.xml", Status.PASSED, at=LATER))
    assert main(["verify", "diff", str(old), str(new), "--snippets-dir", str(tmp_path)]) == 0
    assert "1 became passing" in capsys.readouterr().out


@pytest.mark.parametrize(("content", "message"), [
    ("{", r"old\.json:1:2: not JSON"),
    ('{"format": 1, "records": [{"snippet": "a"}]}', r"old\.json: records\[0\]: missing field"),
    (None, r"old\.json: no such ledger"),
])
def test_cli_refuses_a_broken_ledger_with_exit_2(tmp_path: Path, content: str | None,
                                                 message: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.json"
    if content is not None:
        old.write_text(content)
    new = write(tmp_path / "new.json", record("kvm/a.xml", Status.PASSED))
    assert main(["verify", "diff", str(old), str(new)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert re.search(message, err)


def test_cli_refuses_an_unknown_target(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "l.json", record("kvm/a.xml", Status.PASSED))
    assert main(["verify", "diff", str(path), str(path), "--target", "sid"]) == 2
    assert "unknown target 'sid' (known: bullseye, bookworm" in capsys.readouterr().err




def current_inputs(snippets: Path) -> dict[str, str]:
    [check] = plan_loadable_checks(snippets)
    return check.inputs("trixie-backports")


def test_cli_judges_staleness_by_the_snippets_current_bytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snippets = tmp_path / "snippets"
    (snippets / "kvm").mkdir(parents=True)
    (snippets / "kvm/a.xml").write_text("<sound model='ac97'/>\n")
    (snippets / "kvm/a.xml.check.toml").write_text('kind = "shell"\n')
    current = sha256_of(snippets / "kvm/a.xml")
    inputs = current_inputs(snippets)
    old = write(tmp_path / "old.json",
                replace(record("kvm/a.xml", Status.PASSED, sha=current), inputs=inputs))
    new = write(tmp_path / "new.json", replace(
        record("kvm/a.xml", Status.PASSED, sha="0" * 64, at=LATER), inputs=inputs))
    assert main(["verify", "diff", str(old), str(new), "--snippets-dir", str(snippets)]) == 1
    assert "kvm/a.xml: passed -> stale;" in capsys.readouterr().out
    # once the snippet changes again, the old record is stale too: both are, so no drift
    (snippets / "kvm/a.xml").write_text("<sound model='ich6'/>\n")
    assert main(["verify", "diff", str(old), str(new), "--snippets-dir", str(snippets)]) == 0
    assert "no drift" in capsys.readouterr().out


def test_cli_judges_staleness_by_every_input_of_the_check_as_the_site_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snippets = tmp_path / "snippets"
    (snippets / "kvm").mkdir(parents=True)
    (snippets / "kvm/a.xml").write_text("<sound model='ac97'/>\n")
    (snippets / "kvm/a.xml.check.toml").write_text('kind = "shell"\n')
    current = sha256_of(snippets / "kvm/a.xml")
    inputs = current_inputs(snippets)
    old = write(tmp_path / "old.json",
                replace(record("kvm/a.xml", Status.PASSED, sha=current), inputs=inputs))
    # the new run verified the same bytes, but with a check spec that is not the current one
    other = {name: ("0" * 64 if name.startswith("spec") else digest)
             for name, digest in inputs.items()}
    new = write(tmp_path / "new.json", replace(
        record("kvm/a.xml", Status.PASSED, sha=current, at=LATER), inputs=other))
    assert main(["verify", "diff", str(old), str(new), "--snippets-dir", str(snippets)]) == 1
    out = capsys.readouterr().out
    assert "kvm/a.xml: passed -> stale; spec" in out


@pytest.mark.libvirt
def test_a_real_run_whose_snippet_stopped_working_makes_diff_exit_1(tmp_path: Path) -> None:
    """Two real verification runs on one target: the published one passes, the next one
    (the snippet broken since) fails; the drift job sees it and exits 1."""
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    settings = site / "relnotes.toml"
    settings.write_text(re.sub(r"(?m)^targets = .*$", 'targets = ["bookworm"]',
                               settings.read_text()))
    ledger = site / "_build" / "verification" / "ledger.json"

    def verify() -> int:
        done = subprocess.run([sys.executable, "-m", "relnotes.cli", "verify", "--force"],
                              cwd=site, capture_output=True, text=True, timeout=900)
        return done.returncode

    assert verify() == 0
    published = tmp_path / "published.json"
    published.write_bytes(ledger.read_bytes())
    [snippet] = [p for p in (site / "snippets").rglob("*.xml") if "_guests" not in p.parts]
    snippet.write_text(snippet.read_text().replace("e1000", "rtl8139"))
    assert verify() == 1
    # Each ledger judged on its own records (the weekly job compares what was published with
    # what the new run found), as with a snippets folder that is not there.
    done = subprocess.run([sys.executable, "-m", "relnotes.cli", "verify", "diff",
                           str(published), str(ledger), "--snippets-dir",
                           str(tmp_path / "absent")], cwd=site, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 became failing" in done.stdout and ": passed -> failed;" in done.stdout


GREEN = sorted((s for s in RECORDED if is_green(s)), key=lambda s: s.value)
NOT_GREEN = sorted((s for s in RECORDED if not is_green(s)), key=lambda s: s.value)


@pytest.mark.parametrize("before", GREEN, ids=lambda s: s.value)
@pytest.mark.parametrize("after", NOT_GREEN, ids=lambda s: s.value)
def test_the_cli_exits_1_on_every_change_from_green_to_not_green(
        tmp_path: Path, before: Status, after: Status,
        capsys: pytest.CaptureFixture[str]) -> None:
    old = write(tmp_path / "old.json", record("kvm/a.xml", before, reason="r"))
    # the control layer failed too, as when the control could not be observed at all
    new = write(tmp_path / "new.json", record("kvm/a.xml", after, at=LATER, reason="r",
                                              control=LayerStatus.FAILED))
    code = main(["verify", "diff", str(old), str(new), "--snippets-dir", str(tmp_path / "no")])
    assert code == 1, capsys.readouterr().out
    # and back: not green to green needs no attention
    assert main(["verify", "diff", str(new), str(old), "--snippets-dir",
                 str(tmp_path / "no")]) == 0
