"""Ledger files merged as streams (Sphinx-free): many large ledgers into one in bounded memory.

``write_ledger`` writes records sorted by (snippet, target), so a merge reads every file at
once, one record at a time, and writes each (snippet, target) as soon as every file has moved
past it: memory holds about one record per file, never every record. Each group is resolved by
``Ledger.add``, the rule of an in-memory merge (a test proves both give the same bytes); a file
that is not sorted (edited by hand) is read whole instead. Every record is checked as
``load_ledger`` checks it, and the output appears only when the whole merge succeeded.
"""

from __future__ import annotations

import codecs
import contextlib
import heapq
import itertools
import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from relnotes.core.atomic import write_atomic_stream
from relnotes.core.ledger import (
    CLOCK_TOLERANCE,
    FORMAT,
    READABLE_FORMATS,
    Ledger,
    LedgerError,
    Record,
    RecordWriter,
    beyond_error,
    conflict_locations,
    declared_sequence,
    load_ledger,
    now,
    read_record,
    sort_key,
)

CHUNK = 1 << 20  # characters read at a time from each file
_WHITESPACE = " \t\n\r"

Key = tuple[str, str]
Item = tuple[Key, int, int, Record]  # (snippet, target), file number, index in the file, record


class _Unsorted(Exception):
    """A file's records are not in (snippet, target) order, or come before its format: it
    must be read whole."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass
class StreamMerged:
    records: int = 0
    sequence: int = 0
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # located errors: nothing was written


class _Reader:
    """The records of one ledger file, parsed one at a time from a buffer of the text."""

    def __init__(self, path: Path, stream: BinaryIO, number: int) -> None:
        self.path = path
        self.number = number
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.json = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.lines_before = 0  # newlines in the text already dropped from the buffer
        self.bytes_read = 0
        self.eof = False
        self.format: Any = None
        self.declared: int | None = None
        # (run number, index, record) of each record numbered above every one before it
        self.maxima: list[tuple[int, int, Record]] = []

    # -- reading --------------------------------------------------------------------------

    def _fill(self) -> bool:
        if self.eof:
            return False
        raw = self.stream.read(CHUNK)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            line = (self.lines_before + self.buffer.count("\n")
                    + raw[:error.start].count(b"\n") + 1)
            raise LedgerError(f"{self.path}:{line}: not UTF-8 "
                              f"(byte {self.bytes_read + error.start})") from None
        self.bytes_read += len(raw)
        self.eof = not raw
        self.lines_before += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos:] + text
        self.pos = 0
        return True

    def _where(self, pos: int) -> str:
        line = self.lines_before + self.buffer.count("\n", 0, pos) + 1
        column = pos - self.buffer.rfind("\n", 0, pos)
        return f"{self.path}:{line}:{column}"

    def _peek(self) -> str:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def _expect(self, chars: str) -> str:
        found = self._peek()
        if not found or found not in chars:
            what = repr(found) if found else "the end of the file"
            raise LedgerError(f"{self._where(self.pos)}: not JSON: expected "
                              f"{' or '.join(map(repr, chars))}, found {what}")
        self.pos += 1
        return found

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.json.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                raise LedgerError(f"{self._where(error.pos)}: not JSON: {error.msg}") from None
            except RecursionError:
                raise LedgerError(f"{self.path}: not a ledger: nested too deeply") from None
            # a number at the end of the buffer may go on in the next chunk
            if end == len(self.buffer) and self._fill():
                continue
            self.pos = end
            return value

    def records(self, latest: datetime) -> Iterator[Item]:
        """Each record, checked, in file order; raises ``_Unsorted`` when the order breaks."""
        if self._peek() != "{":
            raise _Unsorted(self.path)  # not a ledger's shape: load_ledger says what it is
        self.pos += 1
        if self._peek() == "}":
            self.pos += 1
        else:
            while True:
                name = self._value()
                self._expect(":")
                if name == "records":
                    yield from self._records(latest)
                elif name == "format":
                    self.format = self._value()
                elif name == "sequence":
                    self.declared = declared_sequence(self.path, self._value())
                else:
                    self._value()
                if self._expect(",}") == "}":
                    break
        if self.format not in READABLE_FORMATS:
            raise LedgerError(f"{self.path}: unsupported ledger format {self.format!r} "
                              f"(expected {FORMAT})")

    def _records(self, latest: datetime) -> Iterator[Item]:
        if self.format is None:
            raise _Unsorted(self.path)  # "format" after the records (by hand): read it whole
        if self.format not in READABLE_FORMATS:
            raise LedgerError(f"{self.path}: unsupported ledger format {self.format!r} "
                              f"(expected {FORMAT})")
        if self._peek() != "[":
            raise LedgerError(f"{self.path}: records: must be a list of records, not "
                              f"{_json_type(self._value())}")
        self.pos += 1
        if self._peek() == "]":
            self.pos += 1
            return
        previous: Key | None = None
        index = 0
        while True:
            record = read_record(self.path, index, self._value(), latest)
            key = (record.snippet, record.target)
            if previous is not None and key < previous:
                raise _Unsorted(self.path)
            previous = key
            if not self.maxima or record.run_sequence > self.maxima[-1][0]:
                self.maxima.append((record.run_sequence, index, record))
            yield key, self.number, index, record
            index += 1
            if self._expect(",]") == "]":
                return

    def check_sequence(self) -> None:
        """The first record numbered beyond the ledger's own last run, if any (known when the
        file is done: ``sequence`` is written after the records). The first record beyond it
        is a strict running maximum, so the maxima suffice."""
        if self.declared is None:
            return
        for sequence, index, record in self.maxima:
            if sequence > self.declared:
                raise beyond_error(self.path, index, record, self.declared)


def _json_type(value: Any) -> str:
    names = {dict: "an object", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _whole(path: Path, number: int) -> tuple[int, list[Item]]:
    """An unsorted file, read whole (``load_ledger``'s checks): its sequence, its records in
    order."""
    located: dict[int, str] = {}
    ledger = load_ledger(path, located)
    items = [((r.snippet, r.target), number,
              int(located[id(r)].rsplit("[", 1)[1].rstrip("]")), r)
             for r in ledger.all_records()]
    return ledger.sequence, sorted(items, key=lambda item: item[0])


def merge_streams(paths: Iterable[Path], declared: Collection[str], output: Path
                  ) -> StreamMerged:
    """Merge ledger files into ``output`` (written atomically, and only without conflicts);
    records of targets not in ``declared`` are left out with a warning."""
    paths = list(paths)
    whole: set[Path] = set()
    while True:
        try:
            return _merge(paths, declared, output, whole)
        except _Unsorted as unsorted:
            whole.add(unsorted.path)  # read it whole this time; the output is not written


class _Conflicts(Exception):
    """Raised from the writer to leave the output unwritten: the conflicts are reported."""


def _merge(paths: list[Path], declared: Collection[str], output: Path, whole: set[Path]
           ) -> StreamMerged:
    merged = StreamMerged()
    latest = now() + CLOCK_TOLERANCE
    left_out: Counter[tuple[int, str]] = Counter()
    with contextlib.ExitStack() as stack:
        readers: list[_Reader] = []
        sources: list[Iterator[Item]] = []
        for number, path in enumerate(paths):
            if path in whole:
                sequence, items = _whole(path, number)
                merged.sequence = max(merged.sequence, sequence)
                sources.append(iter(items))
                continue
            try:
                stream = stack.enter_context(path.open("rb"))
            except FileNotFoundError:
                continue  # as load_ledger: a missing file is an empty ledger
            except OSError as error:
                raise LedgerError(f"{path}: cannot read the ledger: {error}") from error
            reader = _Reader(path, stream, number)
            readers.append(reader)
            sources.append(reader.records(latest))

        def write(stream: TextIO) -> None:
            writer = RecordWriter(stream)
            for key, group in itertools.groupby(heapq.merge(*sources, key=lambda i: i[0]),
                                                key=lambda item: item[0]):
                items = list(group)
                merged.sequence = max(merged.sequence,
                                      *(record.run_sequence for *_rest, record in items))
                if key[1] not in declared:
                    left_out.update((number, key[1]) for _k, number, _i, _r in items)
                    continue
                if len(items) == 1:  # most keys: one record, nothing to resolve
                    writer.write(items[0][3])
                    continue
                ledger = Ledger()
                for *_rest, record in items:
                    ledger.add(record)
                if len(ledger.standing[key]) > 1:
                    where = {id(record): f"{paths[number]}: records[{index}]"
                             for _k, number, index, record in items}
                    merged.conflicts += [conflict_locations(records, where)
                                         for records in ledger.conflicts()]
                for record in sorted(ledger.all_records(), key=sort_key):
                    writer.write(record)
            for reader in readers:
                reader.check_sequence()
                merged.sequence = max(merged.sequence, reader.declared or 0)
            writer.close(merged.sequence)
            merged.records = writer.count
            if merged.conflicts:
                raise _Conflicts

        with contextlib.suppress(_Conflicts):
            write_atomic_stream(output, write)
    known = ", ".join(declared)
    for (number, target), count in sorted(left_out.items()):
        merged.warnings.append(
            f"{paths[number]}: {count} record(s) for unknown target {target!r} left out of the "
            f"merged ledger (declared targets: {known})")
    return merged


__all__ = ["StreamMerged", "merge_streams"]
