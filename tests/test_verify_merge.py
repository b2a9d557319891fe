"""Per-target ledgers (one CI job each) merge into exactly the ledger of one run over all."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from relnotes.cli import main
from relnotes.core.environment import Environment
from relnotes.core.ledger import (
    Layer,
    LayerStatus,
    Ledger,
    LedgerError,
    Record,
    Status,
    _stream,
    load_ledger,
    merge_streams,
    write_ledger,
)
from relnotes.core.plan import Check
from relnotes.engine import runner
from relnotes.engine.container.targets import TARGETS
from relnotes.engine.merging import merge_declared

from tests.ledgers import write_format_2
from tests.test_results import ledgers

SNIPPETS = Path(__file__).parent.parent / "snippets"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def fake_run_target(daemon: Any, checks: Sequence[Check], ledger: Ledger, *, force: bool,
                    jobs: int, log: Any = print, this_run: Any = None,
                    stop: Any = None, mutate: bool = True) -> runner.RunResult:
    """Records that depend only on (check, target): what a deterministic daemon would give."""
    target = daemon.target
    environment = Environment(target, "1", "2", "kvm", "img-" + target)
    result = runner.RunResult()
    for check in checks:
        seed = int(hashlib.sha256(f"{check.key} {target}".encode()).hexdigest()[:6], 16)
        status = (Status.PASSED, Status.FAILED, Status.EXPECTED_FAILURE)[seed % 3]
        for member in check.members:
            result.records.append(Record(
                member.snippet, check.sha256(member.snippet), check.inputs_sha256(daemon.target), status,
                None if status is Status.PASSED else f"reason {seed}",
                {"effect": Layer(LayerStatus.PASSED, "seen")}, environment,
                T0 + timedelta(seconds=seed % 1000), 1.0, "log", check.key))
        result.ran += 1
    return result


@contextmanager
def fake_daemon(target: str) -> Iterator[SimpleNamespace]:
    yield SimpleNamespace(target=target)


def test_merging_per_target_ledgers_gives_the_ledger_of_one_run_over_all_targets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "run_target", fake_run_target)
    targets = list(TARGETS)
    runner.run(SNIPPETS, tmp_path / "all", targets, fake_daemon, log=lambda _: None)
    for target in targets:  # as the CI matrix does: one job, one target, one ledger
        runner.run(SNIPPETS, tmp_path / target, [target], fake_daemon, log=lambda _: None)
    merged = merge_declared([tmp_path / t / "ledger.json" for t in reversed(targets)], targets)
    assert merged.warnings == []
    one_run = (tmp_path / "all/ledger.json").read_bytes()
    main(["verify", "merge", *(str(tmp_path / t / "ledger.json") for t in targets),
          "-o", str(tmp_path / "merged.json")])
    assert (tmp_path / "merged.json").read_bytes() == one_run
    assert merged.ledger.to_json() == load_ledger(tmp_path / "all/ledger.json").to_json()
    assert load_ledger(tmp_path / "merged.json").targets() == sorted(targets)


def test_a_ledger_from_an_unknown_target_is_left_out_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    known = Ledger()
    foreign = Ledger()
    for ledger, target in ((known, "bullseye"), (foreign, "sid")):
        env = Environment(target, "1", "2", "kvm", "i")
        ledger.add(Record("kvm/a.xml", "s", "i", Status.PASSED, None, {}, env, T0, 1.0))
        write_ledger(ledger, tmp_path / f"{target}.json")
    code = main(["verify", "merge", str(tmp_path / "bullseye.json"), str(tmp_path / "sid.json"),
                 "-o", str(tmp_path / "merged.json")])
    assert code == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'sid.json'}: 1 record(s) for unknown target 'sid' left out " \
           "of the merged ledger (declared targets: bullseye, bookworm," in err
    assert load_ledger(tmp_path / "merged.json").targets() == ["bullseye"]


def test_merge_refuses_a_broken_ledger(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text('{"format": 1, "records": [{}]}')
    assert main(["verify", "merge", str(tmp_path / "bad.json"), "-o", str(tmp_path / "out.json")]) == 2
    assert "bad.json: records[0]: missing field" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


BROKEN = Path(__file__).parent / "fixtures" / "broken-ledgers"


def test_merge_refuses_records_of_the_same_inputs_that_disagree_naming_both(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_lived, runner_ledger = BROKEN / "conflict-long-lived.json", BROKEN / "conflict-ci-runner.json"
    for order in ((long_lived, runner_ledger), (runner_ledger, long_lived)):
        out = tmp_path / "merged.json"
        assert main(["verify", "merge", *map(str, order), "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert (f"error: kvm/a.xml on bookworm: {long_lived}: records[0]: passed on machine "
                "laptop0000000000, run 0a1b2c3d4e5f6071, started 2026-09-02 00:00 UTC; "
                f"{runner_ledger}: records[0]: failed on machine runner0000000000") in err
        assert "re-run the check on one machine (relnotes verify --target bookworm --force)" in err
        assert not out.exists()


@pytest.mark.parametrize(("name", "message"), [
    ("future.json", r"future\.json: records\[0\]: kvm/a\.xml on bookworm is dated "
                    r"2099-01-01T00:00:00\+00:00, in the future .* re-run the check"),
    ("sequence-beyond.json", r"sequence-beyond\.json: records\[0\]: kvm/a\.xml on bookworm claims "
                             r"run 9000, beyond the ledger's last run \(3\).*re-run the check"),
])
def test_merge_refuses_a_record_from_the_future_or_beyond_its_ledgers_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str) -> None:
    out = tmp_path / "merged.json"
    assert main(["verify", "merge", str(BROKEN / name), "-o", str(out)]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not out.exists()


def test_the_same_machines_later_run_is_not_a_conflict(tmp_path: Path) -> None:
    env = Environment("bookworm", "1", "2", "kvm", "i")
    for name, result, at in (("old", Status.PASSED, T0), ("new", Status.FAILED, T0 + timedelta(1))):
        ledger = Ledger()
        ledger.add(Record("kvm/a.xml", "s", "i", result, None, {}, env, at, 1.0, run_id=name,
                          machine="m"))
        write_ledger(ledger, tmp_path / f"{name}.json")
    assert main(["verify", "merge", str(tmp_path / "new.json"), str(tmp_path / "old.json"),
                 "-o", str(tmp_path / "merged.json")]) == 0
    merged = load_ledger(tmp_path / "merged.json")
    assert merged.status("kvm/a.xml", "s", "bookworm").status is Status.FAILED


# -- the streamed merge ---------------------------------------------------------------------




@given(st.lists(st.tuples(ledgers, st.sampled_from(("sorted", "hand-edited", "format 2"))),
                min_size=1, max_size=4))
def test_the_streamed_merge_gives_the_ledger_the_in_memory_merge_gives(
        tmp_path_factory: pytest.TempPathFactory, parts: list[tuple[Ledger, str]]) -> None:
    """Whatever the files: format 3 as runs write it, format 3 edited by hand (records out of
    order: read whole), format 2 (read whole)."""
    directory = tmp_path_factory.mktemp("stream")
    paths = []
    for number, (part, form) in enumerate(parts):
        path = directory / f"{number}.json"
        if form == "format 2":
            write_format_2(part, path)
        else:
            write_ledger(part, path)
        if form == "hand-edited":
            header, *lines = path.read_bytes().splitlines(keepends=True)
            path.write_bytes(header + b"".join(reversed(lines)))
        paths.append(path)
    declared = ["bookworm"]  # the other generated target is left out with a warning
    expected = merge_declared(paths, declared)
    streamed = merge_streams(paths, declared, directory / "out.json")
    assert streamed.conflicts == expected.conflicts
    assert streamed.warnings == expected.warnings
    assert list(directory.glob(".out.json.*")) == []  # no sorted copy left behind
    if expected.conflicts:
        assert not (directory / "out.json").exists()
        return
    assert streamed.sequence == expected.ledger.sequence
    merged = load_ledger(directory / "out.json")
    assert merged == expected.ledger  # records equal after loading, each machine's too
    # runs' own files hold each record as the writer writes it, so the bytes are the same
    write_ledger(expected.ledger, directory / "expected.json")
    assert (directory / "out.json").read_bytes() == (directory / "expected.json").read_bytes()


HEADER = '{"format":3,"sequence":1}'
LINE = json.dumps(Record("kvm/a.xml", "s", "i", Status.PASSED, None, {},
                         Environment("bookworm", "1", "2", "kvm", "i"), T0, 1.0,
                         run_sequence=1).to_json(), separators=(",", ":"))
LONG = LINE.replace('"duration":1.0', '"duration":"long"')


@pytest.mark.parametrize(("content", "message"), [
    ('{"format": 2, "records": [{"snippet": "a"', r"bad\.json:1:\d+: not JSON"),
    (b'{"format": 2, "records": [\xff]}', r"bad\.json:1: not UTF-8 \(byte 26\)"),
    ('{"format": 9, "records": []}', r"unsupported ledger format 9"),
    ('{"format": 2, "records": 5}', r"records: must be a list of records, not a number"),
    ('{"format": 2, "records": [{}]}', r"bad\.json: records\[0\]: missing field"),
    # format 3: the line, and the record's place among the file's records
    (f'{HEADER}\n{LINE}\n{{"snippet": \n', r"bad\.json:3:13: not JSON: Expecting value"),
    (f"{HEADER}\n{LINE}\n".encode() + b'{"snippet": "\xff"}\n',
     r"bad\.json:3: not UTF-8 \(byte 13 of the line\)"),
    (f"{HEADER}\n{LINE}\n{LONG}\n",
     r"bad\.json:3: records\[1\]: duration: must be a number, not a string"),
    (f"{HEADER}\n{LINE.replace('2026-11-01', '2099-11-01')}\n",
     r"bad\.json:2: records\[0\]: kvm/a\.xml on bookworm is dated 2099-11-01T00:00:00\+00:00, in "
     r"the future"),
    (f"{HEADER.replace('1', '0')}\n{LINE}\n",
     r"bad\.json:2: records\[0\]: kvm/a\.xml on bookworm claims run 1, beyond the ledger's last "
     r"run \(0\)"),
])
def test_the_streamed_merge_refuses_a_broken_ledger_at_its_place(
        tmp_path: Path, content: str | bytes, message: str) -> None:
    from relnotes.core.ledger import LedgerError

    bad = tmp_path / "bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    good = tmp_path / "good.json"
    good.write_text(f"{HEADER}\n{LINE}\n")
    with pytest.raises(LedgerError, match=message):
        merge_streams([good, bad], ["bookworm"], tmp_path / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "good.json"]  # nothing half-written


def test_the_streamed_merge_writes_a_records_line_as_it_was_read(tmp_path: Path) -> None:
    """A (snippet, target) only one file has: its line is checked, then copied, not rebuilt."""
    spaced = LINE.replace('"duration":1.0', '"duration": 1.000')  # valid, not as written
    (tmp_path / "a.json").write_text(f"{HEADER}\n{spaced}\n")
    other = LINE.replace("kvm/a.xml", "kvm/b.xml")
    (tmp_path / "b.json").write_text(f"{HEADER}\n{other}\n")
    merged = merge_streams([tmp_path / "b.json", tmp_path / "a.json"], ["bookworm"],
                           tmp_path / "out.json")
    assert merged.records == 2
    assert (tmp_path / "out.json").read_text() == f"{HEADER}\n{spaced}\n{other}\n"
    assert load_ledger(tmp_path / "out.json") == merge_declared(
        [tmp_path / "a.json", tmp_path / "b.json"], ["bookworm"]).ledger


# -- on both cores --------------------------------------------------------------------------


@pytest.fixture
def halves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every merge shared between two processes, however small."""
    monkeypatch.setattr(_stream, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(_stream, "_cores", lambda: 2)


def many(directory: Path, files: int, records: int, *, shift: int = 1) -> list[Path]:
    """``files`` ledgers whose snippets interleave (file f has every ``shift``-th key)."""
    paths = []
    for number in range(files):
        ledger = Ledger()
        for index in range(records):
            key = index * shift + number % shift
            ledger.add(Record(f"kvm/{key:04d}.xml", "s", "i", Status.PASSED, None, {},
                              Environment("bookworm", "1", "2", "kvm", "i"), T0, 1.0,
                              run_sequence=1, run_id=f"r{number}", machine=f"m{number}"))
        write_ledger(ledger, directory / f"{number}.json")
        paths.append(directory / f"{number}.json")
    return paths


@pytest.mark.usefixtures("halves")
@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(ledgers, st.sampled_from(("sorted", "hand-edited"))), min_size=1,
                max_size=4))
def test_two_processes_write_what_one_writes(tmp_path_factory: pytest.TempPathFactory,
                                             parts: list[tuple[Ledger, str]]) -> None:
    directory = tmp_path_factory.mktemp("halves")
    paths = []
    for number, (part, form) in enumerate(parts):
        path = directory / f"{number}.json"
        write_ledger(part, path)
        if form == "hand-edited":
            header, *lines = path.read_bytes().splitlines(keepends=True)
            path.write_bytes(header + b"".join(reversed(lines)))
        paths.append(path)
    shared = merge_streams(paths, ["bookworm"], directory / "shared.json")
    expected = merge_declared(paths, ["bookworm"])
    assert (shared.conflicts, shared.warnings) == (expected.conflicts, expected.warnings)
    if not expected.conflicts:
        write_ledger(expected.ledger, directory / "expected.json")
        assert (directory / "shared.json").read_bytes() == (
            directory / "expected.json").read_bytes()


@pytest.mark.usefixtures("halves")
def test_the_second_process_merges_its_half_and_the_output_is_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = many(tmp_path, 4, 50, shift=4)
    cuts = []
    original = _stream._split.cut

    def cut(*args: Any) -> int:
        cuts.append((found := original(*args), args[2]))  # the offset, the file's size
        return found

    monkeypatch.setattr(_stream._split, "cut", cut)
    merged = merge_streams(paths, ["bookworm"], tmp_path / "out.json")
    assert len(cuts) == 4 and all(0 < offset < size for offset, size in cuts)  # both had some
    assert merged.records == 200
    assert load_ledger(tmp_path / "out.json") == merge_declared(paths, ["bookworm"]).ledger


@pytest.mark.usefixtures("halves")
def test_an_error_in_the_second_half_is_located_in_the_file(tmp_path: Path) -> None:
    [path] = many(tmp_path, 1, 40)
    lines = path.read_text().splitlines(keepends=True)
    lines[36] = lines[36].replace('"duration":1.0', '"duration":"long"')  # record 35, line 37
    path.write_text("".join(lines))
    with pytest.raises(LedgerError, match=r"0\.json:37: records\[35\]: duration: must be a "
                                          r"number, not a string"):
        merge_streams([path], ["bookworm"], tmp_path / "out.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.json"]  # nothing half-written


def die(*_args: object) -> None:
    os._exit(9)  # as a second process killed in the middle of its half


@pytest.mark.usefixtures("halves")
def test_when_the_second_process_dies_the_merge_is_done_in_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = many(tmp_path, 3, 30, shift=3)
    monkeypatch.setattr(_stream, "_merge_part", die)
    merged = merge_streams(paths, ["bookworm"], tmp_path / "out.json")
    assert merged.records == 90
    assert load_ledger(tmp_path / "out.json") == merge_declared(paths, ["bookworm"]).ledger
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.json", "1.json", "2.json", "out.json"]
