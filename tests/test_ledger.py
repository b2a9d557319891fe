"""Ledger: round trip, status derivation (stale/missing), merge, atomic write, reuse."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from relnotes.core import atomic
from relnotes.core import ledger as ledger_module
from relnotes.core.environment import Environment
from relnotes.core.ledger import (
    Layer,
    LayerStatus,
    Ledger,
    LedgerError,
    Observation,
    Record,
    Status,
    load_ledger,
    merge_files,
    sha256_of,
    write_ledger,
)

from tests.ledgers import format_3_lines, write_format_2

ENV = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "sha256:abc")
T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def record(snippet: str = "kvm/a.xml", *, result: Status = Status.PASSED, sha: str = "s1",
           at: datetime = T0, env: Environment = ENV, reason: str | None = None,
           run: int = 1, run_id: str = "r1", machine: str = "") -> Record:
    return Record(snippet, sha, "i1", result, reason,
                  {"schema": Layer(LayerStatus.PASSED, "valid"),
                   "effect": Layer(LayerStatus.PASSED, "e1000 seen")},
                  env, at, 1.5, "log line", "kvm/a.xml", run_sequence=run, run_id=run_id,
                  machine=machine)


def test_round_trip(tmp_path: Path) -> None:
    ledger = Ledger()
    ledger.add(record())
    ledger.add(record("kvm/b.sh", result=Status.NOT_VERIFIABLE, reason="needs FIPS"))
    write_ledger(ledger, tmp_path / "ledger.json")
    loaded = load_ledger(tmp_path / "ledger.json")
    assert loaded.records == ledger.records
    header, records = format_3_lines(tmp_path / "ledger.json")
    assert header == {"format": 3, "sequence": 1}
    assert [item["snippet"] for item in records] == ["kvm/a.xml", "kvm/b.sh"]  # sorted
    assert records[0]["verified_at"] == "2026-01-02T03:04:05Z"


def test_format_2_is_still_read(tmp_path: Path) -> None:
    ledger = Ledger()
    ledger.add(record())
    ledger.add(record("kvm/b.sh", result=Status.NOT_VERIFIABLE, reason="needs FIPS"))
    write_format_2(ledger, tmp_path / "ledger.json")
    assert load_ledger(tmp_path / "ledger.json") == ledger


def format_3(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


LINE = json.dumps(record().to_json(), separators=(",", ":"))


@pytest.mark.parametrize(("text", "message"), [
    (format_3('{"format":3,"sequence":1}', "", LINE, ""), None),  # blank lines are no records
    (format_3('{"format":3,"sequence":1}', LINE, '{"snippet": '),
     r"ledger\.json:3:13: not JSON: Expecting value"),
    ('{"format":3,"sequence":1}\n' + LINE + '\n{"snippet": "\xff"}\n',
     r"ledger\.json:3: not UTF-8 \(byte 13 of the line\)"),
    (format_3('{"format":3,"sequence":1}', LINE, LINE.replace('"target":"bookworm","l', '"target":5,"l')),
     r"ledger\.json:3: records\[1\]: environment\.target: must be a string, not a number"),
    (format_3('{"format":3,"sequence":1}', LINE.replace('"status":"passed"', '"status":"ok"', 1)),
     r"ledger\.json:2: records\[0\]: layers\.schema\.status: 'ok' is not a known value"),
    (format_3('{"format":3,"sequence":1}', LINE.replace("2026-01-02", "2099-01-02")),
     r"ledger\.json:2: records\[0\]: kvm/a\.xml on bookworm is dated 2099-01-02T03:04:05\+00:00, "
     r"in the future"),
    (format_3('{"format":3,"sequence":0}', LINE),
     r"ledger\.json:2: records\[0\]: kvm/a\.xml on bookworm claims run 1, beyond the ledger's "
     r"last run \(0\)"),
    (format_3('{"format":3}', LINE), r"ledger\.json:1: the format 3 header names no sequence"),
    (format_3('{"format":3,"sequence":"1"}', LINE), r"ledger\.json: sequence: not a whole number"),
    ('{"format": 3,\n "records": []}', r"unsupported ledger format 3 \(expected 3\): format 3 is a "
                                     r"header line, then one record a line"),
])
def test_a_format_3_ledger_is_checked_line_by_line(tmp_path: Path, text: str,
                                                   message: str | None) -> None:
    (tmp_path / "ledger.json").write_bytes(text.encode("utf-8", "surrogateescape")
                                           .replace(b"\xc3\xbf", b"\xff"))
    if message is None:
        assert list(load_ledger(tmp_path / "ledger.json").records) == [("kvm/a.xml", "bookworm")]
        return
    with pytest.raises(LedgerError, match=message):
        load_ledger(tmp_path / "ledger.json")


def test_each_effects_values_round_trip_as_data(tmp_path: Path) -> None:
    seen = (Observation("nic-models", "contains 'e1000'", "['e1000']", "['rtl8139']", False),
            Observation("running", "equals True", "True"))
    ledger = Ledger()
    ledger.add(replace(record(), observations=seen))
    write_ledger(ledger, tmp_path / "ledger.json")
    [loaded] = load_ledger(tmp_path / "ledger.json").records.values()
    assert loaded.observations == seen


@pytest.mark.parametrize(("observations", "message"), [
    (5, r"records\[0\]: observations: must be a list, not a number"),
    (["x"], r"records\[0\]: observations\[0\]: must be an object, not a string"),
    ([{"probe": "p", "expectation": "e", "value": "v", "control_meets": "yes"}],
     r"records\[0\]: observations\[0\]\.control_meets: must be true, false or null, not a "
     "string"),
])
def test_malformed_observations_are_a_located_error(tmp_path: Path, observations: object,
                                                     message: str) -> None:
    data = {"format": 2, "records": [{**record().to_json(), "observations": observations}]}
    (tmp_path / "ledger.json").write_text(json.dumps(data))
    with pytest.raises(LedgerError, match=message):
        load_ledger(tmp_path / "ledger.json")


def test_missing_file_is_an_empty_ledger(tmp_path: Path) -> None:
    assert load_ledger(tmp_path / "nope.json").records == {}


@pytest.mark.parametrize(("text", "message"), [
    ("{", r"ledger.json:1:2: not JSON"),
    ('{"format": 99, "records": []}', "unsupported ledger format 99"),
    ('[]', "unsupported ledger format 'list'"),
    ('{"format": 1, "records": [{"snippet": "a"}]}', r"records\[0\]: missing field 'sha256'"),
])
def test_malformed_ledger_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "ledger.json").write_text(text)
    with pytest.raises(LedgerError, match=message):
        load_ledger(tmp_path / "ledger.json")


def test_a_derived_status_cannot_be_recorded(tmp_path: Path) -> None:
    data = record().to_json() | {"result": "stale"}
    (tmp_path / "ledger.json").write_text(json.dumps({"format": 1, "records": [data]}))
    with pytest.raises(LedgerError, match="'stale' cannot be recorded"):
        load_ledger(tmp_path / "ledger.json")


def test_status_passed_stale_missing() -> None:
    ledger = Ledger()
    ledger.add(record())
    ok = ledger.status("kvm/a.xml", "s1", "bookworm")
    assert (ok.status, ok.environment_label, ok.verified_at) == (
        Status.PASSED, ENV.label, T0)
    stale = ledger.status("kvm/a.xml", "s2", "bookworm")
    assert stale.status is Status.STALE and "changed since" in (stale.reason or "")
    missing = ledger.status("kvm/a.xml", "s1", "trixie")
    assert missing.status is Status.MISSING and missing.environment_label is None
    assert ledger.targets() == ["bookworm"]


def test_status_carries_the_reason() -> None:
    ledger = Ledger()
    ledger.add(record(result=Status.EXPECTED_FAILURE, reason="restorecon is absent"))
    assert ledger.status("kvm/a.xml", "s1", "bookworm").reason == "restorecon is absent"


def test_merge_keeps_each_machines_latest_run_and_disjoint_targets(tmp_path: Path) -> None:
    old, new = Ledger(), Ledger()
    old.add(record(result=Status.FAILED, at=T0, run=1, machine="m1"))
    new.add(record(result=Status.PASSED, at=T0 + timedelta(hours=1), run=2, run_id="r2",
                   machine="m1"))
    trixie = Environment("trixie", "11.3.0", "10.0.0", "kvm", "sha256:def")
    old.add(record(env=trixie, machine="m1"))
    write_ledger(old, tmp_path / "a.json")
    write_ledger(new, tmp_path / "b.json")
    for order in (["a.json", "b.json"], ["b.json", "a.json"]):
        merged = merge_files(tmp_path / name for name in order)
        assert merged.status("kvm/a.xml", "s1", "bookworm").status is Status.PASSED
        assert merged.targets() == ["bookworm", "trixie"]


def test_an_old_pass_with_a_big_sequence_does_not_hide_todays_failure_on_another_machine(
        tmp_path: Path) -> None:
    # a long-lived ledger's pass (run 40, 60 days ago) and a fresh runner's failure (run 1)
    old = record(result=Status.PASSED, at=T0 - timedelta(days=60), run=40, run_id="long",
                 machine="laptop")
    today = record(result=Status.FAILED, at=T0, run=1, run_id="ci", machine="runner",
                   reason="run: exit 1")
    for first, second in ((old, today), (today, old)):
        ledger = Ledger()
        ledger.add(first)
        ledger.add(second)
        status = ledger.status("kvm/a.xml", "s1", "bookworm")
        assert status.status is Status.CONFLICTING
        assert "passed on machine laptop" in (status.reason or "")
        assert "failed on machine runner" in (status.reason or "")


def test_on_one_machine_the_later_start_wins_whatever_the_sequence() -> None:
    ledger = Ledger()
    ledger.add(record(result=Status.PASSED, at=T0, run=90, run_id="edited", machine="m"))
    ledger.add(record(result=Status.FAILED, at=T0 + timedelta(days=1), run=2, run_id="r2",
                      machine="m"))
    assert ledger.status("kvm/a.xml", "s1", "bookworm").status is Status.FAILED


def test_a_record_of_inputs_that_are_not_current_is_stale_not_conflicting() -> None:
    ledger = Ledger()
    ledger.add(record(result=Status.PASSED, at=T0, machine="a"))
    ledger.add(replace(record(result=Status.FAILED, at=T0 + timedelta(hours=1), machine="b"),
                       inputs_sha256="i2"))
    # the latest record's inputs decide what is current: the other machine's pass is of others
    assert ledger.status("kvm/a.xml", "s1", "bookworm").status is Status.FAILED
    assert ledger.conflicts() == []


def test_a_sequence_beyond_the_ledgers_last_run_is_a_located_error(tmp_path: Path) -> None:
    data = {"format": 2, "sequence": 3, "records": [record(run=9000).to_json()]}
    (tmp_path / "ledger.json").write_text(json.dumps(data))
    with pytest.raises(LedgerError, match=r"ledger\.json: records\[0\]: kvm/a\.xml on bookworm "
                       r"claims run 9000, beyond the ledger's last run \(3\).*re-run the check"):
        load_ledger(tmp_path / "ledger.json")


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ledger.json"
    first = Ledger()
    first.add(record())
    write_ledger(first, path)
    before = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", crash)
    second = Ledger()
    second.add(record("kvm/other.xml"))
    with pytest.raises(OSError, match="disk full"):
        write_ledger(second, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ledger.json"]


def test_reuse_needs_same_inputs_environment_and_a_conclusive_result() -> None:
    ledger = Ledger()
    passed = record()
    assert ledger.can_reuse(passed, "i1", ENV)
    assert not ledger.can_reuse(passed, "i2", ENV)
    rebuilt = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "sha256:new")
    assert not ledger.can_reuse(passed, "i1", rebuilt)
    assert not ledger.can_reuse(record(result=Status.FAILED), "i1", ENV)
    assert not ledger.can_reuse(None, "i1", ENV)


def test_sha256_of(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    assert sha256_of(tmp_path / "f") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_the_same_run_writing_again_gives_one_record_in_either_order() -> None:
    first = record(result=Status.PASSED, run=5, run_id="zz", machine="m")
    again = replace(first, log="written again")
    results = []
    for order in ((first, again), (again, first)):
        ledger = Ledger()
        for item in order:
            ledger.add(item)
        results.append(ledger.to_json())
    assert results[0] == results[1] and len(results[0]["records"]) == 1


def test_a_record_dated_in_the_future_is_an_error(tmp_path: Path) -> None:
    ledger = Ledger()
    ledger.add(record(at=ledger_module.now() + timedelta(days=2)))
    write_ledger(ledger, tmp_path / "ledger.json")
    with pytest.raises(LedgerError, match=r"records\[0\]: kvm/a\.xml on bookworm is dated .* in "
                       "the future"):
        load_ledger(tmp_path / "ledger.json")


def test_format_1_is_read_and_its_records_are_stale_for_want_of_inputs(tmp_path: Path) -> None:
    data = record().to_json()
    for name in ("observation", "summary", "adaptation", "inputs", "run"):
        del data[name]
    (tmp_path / "ledger.json").write_text(json.dumps({"format": 1, "records": [data]}))
    loaded = load_ledger(tmp_path / "ledger.json")
    assert loaded.status("kvm/a.xml", "s1", "bookworm").status is Status.PASSED
    stale = loaded.status("kvm/a.xml", "s1", "bookworm", inputs={"engine": "e"})
    assert stale.status is Status.STALE
    assert "recorded by an engine that did not record them" in (stale.reason or "")


def test_any_changed_input_makes_a_record_stale_and_is_named() -> None:
    ledger = Ledger()
    inputs = {"engine": "e1", "base guest _guests/minimal.xml": "g1", "spec a.check.toml": "s"}
    ledger.add(replace(record(), inputs=inputs))
    assert ledger.status("kvm/a.xml", "s1", "bookworm", inputs).status is Status.PASSED
    for name in inputs:
        changed = ledger.status("kvm/a.xml", "s1", "bookworm", {**inputs, name: "other"})
        assert changed.status is Status.STALE
        assert (changed.reason or "").startswith(f"{name} changed since it was verified")


# -- the environment is part of a record's key ---------------------------------------------------


@pytest.mark.parametrize(("newer", "named"), [
    (replace(ENV, libvirt_version="9.0.1", image_id="sha256:def"),
     "now runs libvirt 9.0.1 / QEMU 7.2.0 (KVM)"),
    (replace(ENV, qemu_version="7.2.5", image_id="sha256:def"),
     "now runs libvirt 9.0.0 / QEMU 7.2.5 (KVM)"),
    (replace(ENV, accelerator="tcg"), "now runs libvirt 9.0.0 / QEMU 7.2.0 (TCG)"),
    (replace(ENV, image_id="sha256:def"),
     "now runs libvirt 9.0.0 / QEMU 7.2.0 (KVM) from a rebuilt image"),
])
def test_a_record_of_another_environment_than_the_targets_latest_run_is_stale_and_says_so(
        newer: Environment, named: str) -> None:
    ledger = Ledger()
    ledger.add(record("kvm/a.xml", run=1))
    ledger.add(record("kvm/b.xml", env=newer, run=2))
    status = ledger.status("kvm/a.xml", "s1", "bookworm")
    assert status.status is Status.STALE
    assert status.reason == f"verified on {ENV.label}, but bookworm {named}"
    assert status.environment_label == ENV.label  # the cell is labelled with what it ran on
    assert ledger.status("kvm/b.xml", "s1", "bookworm").status is Status.PASSED


def test_records_of_one_environment_stay_current_whichever_run_made_them() -> None:
    ledger = Ledger()
    ledger.add(record("kvm/a.xml", run=1))
    ledger.add(record("kvm/b.xml", run=2))  # a later run reused kvm/a.xml in the same image
    assert ledger.status("kvm/a.xml", "s1", "bookworm").status is Status.PASSED
    assert ledger.current_environment("bookworm") == ENV
    assert ledger.current_environment("trixie") is None


def test_symptom_and_mutation_round_trip_and_older_records_have_neither(tmp_path: Path) -> None:
    from relnotes.core.ledger import MutationScore, SymptomObservation

    ledger = Ledger()
    symptom = SymptomObservation("cpu nx", "equals False", "True", False)
    mutation = MutationScore(3, 5, (("without listen= on <graphics> (line 1)", "an address"),),
                             ("without <model> (line 2)",))
    ledger.add(replace(record(), symptom=symptom, mutation=mutation))
    ledger.add(record("kvm/b.xml"))
    write_ledger(ledger, tmp_path / "ledger.json")
    _header, records = format_3_lines(tmp_path / "ledger.json")
    assert "symptom" not in records[1] and "mutation" not in records[1]
    again = load_ledger(tmp_path / "ledger.json")
    assert again.get("kvm/a.xml", "bookworm").symptom == symptom  # type: ignore[union-attr]
    assert again.get("kvm/a.xml", "bookworm").mutation == mutation  # type: ignore[union-attr]
    status = again.status("kvm/a.xml", "s1", "bookworm")
    assert (status.symptom, status.mutation) == (symptom, mutation)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("symptom", {"probe": "p", "problem": "q", "value": "v", "present": "yes"},
     r"records\[0\]: symptom\.present: must be true or false, not a string"),
    ("mutation", ["killed"], r"records\[0\]: mutation: must be an object or null, not a list"),
])
def test_a_malformed_symptom_or_mutation_is_a_located_error(
        tmp_path: Path, field: str, value: object, message: str) -> None:
    data = {"format": 2, "records": [{**record().to_json(), field: value}]}
    (tmp_path / "ledger.json").write_text(json.dumps(data))
    with pytest.raises(LedgerError, match=message):
        load_ledger(tmp_path / "ledger.json")


@pytest.mark.parametrize(("change", "words"), [
    ({"snippet": 7}, "snippet: must be a string, not a number"),
    ({"result": "stale"}, "result 'stale' cannot be recorded"),
    ({"result": "great"}, "result: 'great' is not a known value"),
    ({"duration": "long"}, "duration: must be a number, not a string"),
    ({"layers": {"run": {"status": "ok"}}}, "layers.run.status: 'ok' is not a known value"),
    ({"environment": {**ENV.to_dict(), "image_id": ""}}, "environment.image_id: must not be empty"),
    ({"environment": {**ENV.to_dict(), "colour": "red"}}, "environment: unknown field 'colour'"),
    ({"run": {"sequence": True}}, "run.sequence: must be a whole number, not true or false"),
    ({"verified_at": "2026-01-02T03:04:05"}, "verified_at has no time zone"),
    ({"target": "trixie"}, "target differs from environment.target"),
])
def test_every_format_checks_a_record_with_one_schema_in_the_same_words(
        tmp_path: Path, change: dict[str, object], words: str) -> None:
    item = {**record().to_json(), **change}
    (tmp_path / "two.json").write_text(json.dumps({"format": 2, "records": [item]}))
    (tmp_path / "three.json").write_text(format_3('{"format":3,"sequence":1}', json.dumps(item)))
    with pytest.raises(LedgerError) as two:
        load_ledger(tmp_path / "two.json")
    with pytest.raises(LedgerError) as three:
        load_ledger(tmp_path / "three.json")
    assert str(two.value) == f"{tmp_path / 'two.json'}: records[0]: {words}"
    assert str(three.value) == f"{tmp_path / 'three.json'}:2: records[0]: {words}"
