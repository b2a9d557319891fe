"""Mutants: every operative part of a passing snippet must be shown necessary, or declared
equivalent with a reason; the score is kept per record and said on the page in words."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from relnotes.core.environment import Environment
from relnotes.core.ledger import Ledger, MutationScore, Record, SnippetStatus, Status
from relnotes.core.plan import Check, plan_checks
from relnotes.engine.container import RunningDaemon
from relnotes.engine.mutants import WHOLE, Mutant, judge_mutants, mutants_of
from relnotes.engine.runner import run_target
from relnotes.sphinxext.necessity import mutation_sentence, mutation_sentences

ROOT = Path(__file__).parent.parent
SNIPPETS = ROOT / "snippets"
ENV = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "x" * 64)
NX = "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>kvm64</model>\n" \
     "  <feature policy='require' name='nx'/>\n</cpu>\n"
SPEC = """summary = "a fragment"
kind = "xml-fragment"
timeout = 60
[apply]
mode = "append"
target = "{target}"
[[effects]]
probe = "pci-ids"
contains = "8086:2415"
control = {{ lacks = "8086:2415" }}
"""


def one_check(root: Path, name: str, text: str, spec: str) -> Check:
    if not (root / "_guests").exists():
        (root / "_guests").mkdir(parents=True)
        shutil.copy(SNIPPETS / "_guests/minimal.xml", root / "_guests/minimal.xml")
    directory = root / "kvm" / "x"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    (directory / f"{name}.check.toml").write_text(spec)
    [check] = [c for c in plan_checks(root) if c.key == f"kvm/x/{name}"]
    return check


def test_each_element_and_attribute_and_the_whole_fragment_is_a_mutant(tmp_path: Path) -> None:
    check = one_check(tmp_path, "cpu-nx.xml", NX, SPEC.format(target="/domain"))
    assert [m.name for m in mutants_of(check)] == [
        "without mode= on <cpu> (line 1)", "without match= on <cpu> (line 1)",
        "without <model> (line 2)", "without fallback= on <model> (line 2)",
        "without <feature> (line 3)", "without policy= on <feature> (line 3)",
        "without name= on <feature> (line 3)", WHOLE]
    deleted = next(m for m in mutants_of(check) if m.name == "without <feature> (line 3)")
    assert deleted.text is not None and "nx" not in deleted.text and "kvm64" in deleted.text
    whole = mutants_of(check)[-1]
    assert whole.text is None and whole.check(check).omitted("kvm/x/cpu-nx.xml")
    assert whole.is_control  # a standalone fragment left out is the check's own control


def test_the_control_is_the_whole_fragment_left_out_so_that_mutant_is_not_run_again(
        tmp_path: Path) -> None:
    check = one_check(tmp_path, "cpu-nx.xml", NX, SPEC.format(target="/domain"))
    ran: list[str] = []

    def run(mutant: Mutant) -> Status:
        ran.append(mutant.name)
        return Status.FAILED

    [record] = judge_mutants(check, passed(check), run, 1)
    assert WHOLE not in ran and len(ran) == 7
    assert record.result is Status.PASSED and record.mutation == MutationScore(8, 8)


def test_a_step_left_out_of_a_procedure_is_run_as_its_own_mutant() -> None:
    [check] = [c for c in plan_checks(SNIPPETS)
               if c.key == "kvm/kvm-rtl8139-performance/define-new-guest.virsh"]
    wholes = [m for m in mutants_of(check) if m.name == WHOLE]
    assert len(wholes) == 3 and not any(m.is_control for m in wholes)


def test_each_command_line_is_a_mutant_but_not_blanks_or_comments(tmp_path: Path) -> None:
    spec = 'kind = "shell"\ntimeout = 60\n'
    check = one_check(tmp_path, "run.sh", "# a comment\nmkdir -p /tmp/a\n\ntouch /tmp/a/b\n",
                      spec)
    names = [m.name for m in mutants_of(check)]
    assert names == ["without line 2: mkdir -p /tmp/a", "without line 4: touch /tmp/a/b", WHOLE]
    assert mutants_of(check)[0].check(check).text("kvm/x/run.sh") == \
        "# a comment\n\ntouch /tmp/a/b\n"


def test_attributes_the_check_keeps_from_the_base_guest_are_no_mutants() -> None:
    [check] = [c for c in plan_checks(SNIPPETS)
               if c.key == "kvm/kvm-rtl8139-performance/edit-guest.virsh"]
    names = [(m.snippet.rsplit("/", 1)[-1], m.name) for m in mutants_of(check)]
    assert ("interface-model-e1000.xml", "without type= on <interface> (line 1)") not in names
    assert ("interface-model-e1000.xml", "without <model> (line 3)") in names


DOMAIN = ("<domain type='qemu'>\n  <name>g</name>\n  <memory unit='MiB'>64</memory>\n"
          "  <devices>\n    <sound model='ac97'/>\n  </devices>\n</domain>\n")
TRANSCRIPT = ("$ mkdir -p /tmp/t\n$ touch /tmp/t/f\n$ ls /tmp/t\nf\n")


def test_every_kind_of_snippet_has_its_mutants() -> None:
    from relnotes.core.spec import SnippetKind
    from relnotes.engine.mutants import _mutants_by_kind

    assert set(_mutants_by_kind) == set(SnippetKind)


def test_a_whole_domain_has_a_mutant_per_element_and_attribute_and_one_left_out(
        tmp_path: Path) -> None:
    spec = ('kind = "domain-xml"\ntimeout = 60\n[[effects]]\nprobe = "pci-ids"\n'
            'contains = "8086:2415"\ncontrol = { lacks = "8086:2415" }\n')
    check = one_check(tmp_path, "guest.xml", DOMAIN, spec)
    names = [m.name for m in mutants_of(check)]
    assert names == [
        "without type= on <domain> (line 1)", "without <name> (line 2)",
        "without <memory> (line 3)", "without unit= on <memory> (line 3)",
        "without <devices> (line 4)", "without <sound> (line 5)",
        "without model= on <sound> (line 5)", WHOLE]
    # a passed whole domain whose <sound> element is not needed by its check is not green
    [record] = judge_mutants(check, passed(check), lambda mutant: (
        Status.PASSED if mutant.name == "without model= on <sound> (line 5)"
        else Status.FAILED), 1)
    assert record.result is Status.MUTANT_SURVIVED
    assert record.mutation == MutationScore(7, 8, (), ("without model= on <sound> (line 5)",))


def test_each_command_of_a_transcript_is_a_mutant_with_its_output(tmp_path: Path) -> None:
    check = one_check(tmp_path, "run.console", TRANSCRIPT, 'kind = "console"\ntimeout = 60\n')
    mutants = mutants_of(check)
    assert [m.name for m in mutants] == [
        "without the command of line 1: mkdir -p /tmp/t",
        "without the command of line 2: touch /tmp/t/f",
        "without the command of line 3: ls /tmp/t", WHOLE]
    assert mutants[1].text == "$ mkdir -p /tmp/t\n$ ls /tmp/t\nf\n"
    assert mutants[2].text == "$ mkdir -p /tmp/t\n$ touch /tmp/t/f\n"  # its output with it


def passed(check: Check) -> list[Record]:
    return [Record(snippet=m.snippet, sha256="s", inputs_sha256="i", result=Status.PASSED,
                   reason=None, layers={}, environment=ENV,
                   verified_at=datetime(2026, 12, 1, tzinfo=UTC), duration=1.0)
            for m in check.members]


def test_a_surviving_mutant_turns_a_passed_record_mutant_survived(tmp_path: Path) -> None:
    check = one_check(tmp_path, "cpu-nx.xml", NX, SPEC.format(target="/domain"))
    [record] = judge_mutants(check, passed(check), lambda mutant: (
        Status.PASSED if mutant.name == "without <feature> (line 3)" else Status.FAILED), 2)
    assert record.result is Status.MUTANT_SURVIVED
    assert record.mutation == MutationScore(7, 8, (), ("without <feature> (line 3)",))
    assert "without <feature> (line 3)" in (record.reason or "")


def test_a_declared_equivalent_mutant_keeps_the_record_green_with_its_reason(
        tmp_path: Path) -> None:
    spec = SPEC.format(target="/domain") + (
        '[[equivalent]]\nmutant = "without fallback= on <model> (line 2)"\n'
        'reason = "fallback only matters where kvm64 is missing"\n')
    check = one_check(tmp_path, "cpu-nx.xml", NX, spec)
    [record] = judge_mutants(check, passed(check), lambda mutant: (
        Status.PASSED if "fallback" in mutant.name else Status.INDISTINCT), 1)
    assert record.result is Status.PASSED
    assert record.mutation == MutationScore(7, 8, (
        ("without fallback= on <model> (line 2)",
         "fallback only matters where kvm64 is missing"),), ())


def test_an_equivalent_declaration_naming_no_mutant_fails_the_record(tmp_path: Path) -> None:
    spec = SPEC.format(target="/domain") + (
        '[[equivalent]]\nmutant = "without fallback= on <model> (line 9)"\nreason = "typo"\n')
    check = one_check(tmp_path, "cpu-nx.xml", NX, spec)
    [record] = judge_mutants(check, passed(check), lambda mutant: Status.FAILED, 1)
    assert record.result is Status.FAILED
    assert "names 'without fallback= on <model> (line 9)', which is no mutant of" in (
        record.reason or "")


def test_a_mutant_that_could_not_run_leaves_nothing_green(tmp_path: Path) -> None:
    check = one_check(tmp_path, "cpu-nx.xml", NX, SPEC.format(target="/domain"))
    [record] = judge_mutants(check, passed(check), lambda mutant: "the daemon was lost", 1)
    assert record.result is Status.FAILED
    assert (record.reason or "").startswith("7 of its 8 mutants could not be run, so no part "
                                            "of the snippet is shown to be needed")
    assert "the daemon was lost" in (record.reason or "")


def test_a_check_that_did_not_pass_has_no_mutants_run(tmp_path: Path) -> None:
    check = one_check(tmp_path, "cpu-nx.xml", NX, SPEC.format(target="/domain"))
    failed = [replace(r, result=Status.FAILED) for r in passed(check)]

    def never(mutant: Mutant) -> Status:
        raise AssertionError("no mutant runs for a check that did not pass")

    assert judge_mutants(check, failed, never, 1) == failed


def test_the_page_says_the_score_in_words() -> None:
    assert mutation_sentence(MutationScore(2, 2)) == (
        "Every part of this snippet is needed for the effect: each of the 2 ways of removing a "
        "part of it, or the whole snippet, makes the check fail.")
    assert mutation_sentence(MutationScore(1, 2, (("without listen= on <graphics> (line 1)",
                                                    "it only picks the address"),))) == (
        "Every other part of this snippet is needed for the effect; not needed for it here: "
        "without listen= on <graphics> (line 1) (it only picks the address).")
    assert mutation_sentence(MutationScore(1, 2, (), ("without <model> (line 2)",))) == (
        "Not shown to be needed for the effect (the check stays green without it): "
        "without <model> (line 2).")
    score = MutationScore(2, 2)
    statuses = [SnippetStatus("bookworm", Status.PASSED, None, None, None, mutation=score),
                SnippetStatus("trixie", Status.STALE, None, None, None, mutation=score)]
    assert [targets for _, targets in mutation_sentences(statuses)] == [["bookworm"]]


# -- on a real daemon ---------------------------------------------------------------------------


def test_on_a_real_daemon_a_part_the_effect_does_not_need_keeps_the_check_from_green(
        libvirt_daemon: RunningDaemon, tmp_path: Path) -> None:
    """The AC'97 fragment with an element its effect does not depend on: the check passes,
    but the mutant without that element passes too, so the record is not green; the mutant
    without the model attribute is killed."""
    one_check(tmp_path, "ac97.xml", "<sound model='ac97'><address type='pci'/></sound>\n",
              SPEC.format(target="/domain/devices"))
    run = run_target(libvirt_daemon, plan_checks(tmp_path), Ledger(), force=True, jobs=2,
                     log=lambda _line: None)
    [record] = run.records
    assert record.result is Status.MUTANT_SURVIVED, record.reason
    assert record.mutation is not None
    assert "without <address> (line 1)" in record.mutation.survivors
    assert "without model= on <sound> (line 1)" not in record.mutation.survivors
    assert record.mutation.total == 4


def test_on_a_real_daemon_a_whole_domain_must_show_its_parts_needed(
        libvirt_daemon: RunningDaemon, tmp_path: Path) -> None:
    """A whole domain with an AC'97 card: the check passes, the elements the effect does not
    depend on survive (the record is not green until they are declared equivalent with a
    reason), and the sound card's own mutants are killed."""
    guest = (SNIPPETS / "_guests/minimal.xml").read_text().replace(
        "@GUEST@", "rn-whole-domain").replace(
        "<memballoon model='none'/>", "<memballoon model='none'/>\n    <sound model='ac97'/>")
    spec = ('kind = "domain-xml"\ntimeout = 60\n[[effects]]\nprobe = "pci-ids"\n'
            'contains = "8086:2415"\ncontrol = { lacks = "8086:2415" }\n')
    one_check(tmp_path, "guest.xml", guest, spec)
    run = run_target(libvirt_daemon, plan_checks(tmp_path), Ledger(), force=True, jobs=2,
                     log=lambda _line: None)
    [record] = run.records
    assert record.result is Status.MUTANT_SURVIVED, record.reason
    assert record.mutation is not None
    survivors = record.mutation.survivors
    assert any(name.startswith("without <on_poweroff>") for name in survivors), survivors
    assert not any("<sound>" in name for name in survivors), survivors
