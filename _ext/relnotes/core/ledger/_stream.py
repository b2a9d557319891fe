"""Ledger files merged as streams (Sphinx-free): many large ledgers into one in bounded memory.

A format 3 ledger is a header line, then one record a line sorted by (snippet, target), so a
merge reads every file at once, a line at a time, and writes each (snippet, target) as soon as
every file has moved past it: memory holds about one record per file, never every record.
Every line is checked as ``load_ledger`` checks it (its types while it is parsed, then its
result, date and run number); a (snippet, target) that only one file has, the common case, is
written as the line it was read, unchanged. Where several files have one, the records are
built and resolved by ``Ledger.add``, the rule of an in-memory merge (a test proves both give
the same ledger), and the lines of the records that stand are written.

A file that is not sorted (edited by hand), and a file of format 1 or 2 (one JSON object), is
read whole instead. The output appears only when the whole merge succeeded.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import operator
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from relnotes.core.atomic import write_atomic_stream
from relnotes.core.ledger._ledger import Ledger, conflict_locations
from relnotes.core.ledger._reading import (
    CLOCK_TOLERANCE,
    LedgerError,
    Line,
    header_of,
    load_ledger,
    now,
    read_lines,
)
from relnotes.core.ledger._records import Record, sort_key
from relnotes.core.ledger._writing import RecordWriter

Key = tuple[str, str]
#: (snippet, target), file number, index in the file, the line read (or the record, when the
#: file was read whole). File number and index are unique, so items never compare further.
Item = tuple[Key, int, int, Line | Record]


class _Unsorted(Exception):
    """A file's records are not in (snippet, target) order: it must be read whole."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


class _Conflicts(Exception):
    """Raised from the writer to leave the output unwritten: the conflicts are reported."""


@dataclass
class StreamMerged:
    records: int = 0
    sequence: int = 0
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # located errors: nothing was written


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


def _sorted_lines(path: Path, number: int, lines: Iterator[Line]) -> Iterator[Item]:
    previous: Key = ("", "")
    for index, line in enumerate(lines):
        key = line.data.key
        if key < previous:
            raise _Unsorted(path)
        previous = key
        yield key, number, index, line


def _merge(paths: list[Path], declared: Collection[str], output: Path, whole: set[Path]
           ) -> StreamMerged:
    merged = StreamMerged()
    latest = now() + CLOCK_TOLERANCE
    left_out: Counter[tuple[int, str]] = Counter()
    located: dict[int, str] = {}  # where the records of files read whole were read
    with contextlib.ExitStack() as stack:
        sources: list[Iterator[Item]] = []
        for number, path in enumerate(paths):
            try:
                stream = stack.enter_context(path.open("rb"))
            except FileNotFoundError:
                continue  # as load_ledger: a missing file is an empty ledger
            except OSError as error:
                raise LedgerError(f"{path}: cannot read the ledger: {error}") from error
            declared_sequence = header_of(path, stream.readline())
            if declared_sequence is None or path in whole:
                sequence, items = _read_whole(path, number, located)
                merged.sequence = max(merged.sequence, sequence)
                sources.append(iter(items))
            else:
                merged.sequence = max(merged.sequence, declared_sequence)
                sources.append(_sorted_lines(path, number, read_lines(
                    path, stream, declared_sequence, latest)))

        def write(stream: BinaryIO) -> None:
            writer = RecordWriter(stream, merged.sequence)
            for key, group in itertools.groupby(heapq.merge(*sources),
                                                key=operator.itemgetter(0)):
                items = list(group)
                if key[1] not in declared:
                    left_out.update((number, key[1]) for _k, number, _i, _p in items)
                elif len(items) == 1:  # most keys: one record, nothing to resolve
                    payload = items[0][3]
                    if isinstance(payload, Line):
                        writer.write_line(payload.raw)
                    else:
                        writer.write(payload)
                else:
                    merged.conflicts += _resolve(key, items, located, writer)
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


def _resolve(key: Key, items: list[Item], located: dict[int, str], writer: RecordWriter
             ) -> list[str]:
    """Several records of one (snippet, target): the ones that stand (``Ledger.add``) written,
    each as the line it was read; the conflicts among them, located."""
    ledger = Ledger()
    where: dict[int, str] = {}
    lines: dict[int, bytes] = {}
    for _key, _number, _index, payload in items:
        if isinstance(payload, Line):
            record = payload.record()
            where[id(record)] = payload.where
            lines[id(record)] = payload.raw
        else:
            record = payload
            where[id(record)] = located.get(id(record), "?")
        ledger.add(record)
    conflicts = []
    if len(ledger.standing[key]) > 1:
        conflicts = [conflict_locations(records, where) for records in ledger.conflicts()]
    for record in sorted(ledger.all_records(), key=sort_key):
        line = lines.get(id(record))
        if line is None:
            writer.write(record)
        else:
            writer.write_line(line)
    return conflicts


def _read_whole(path: Path, number: int, located: dict[int, str]) -> tuple[int, list[Item]]:
    """A file of an older format, or not sorted, read whole (``load_ledger``): its sequence,
    its records in (snippet, target) order."""
    ledger = load_ledger(path, located)
    items: list[Item] = [((record.snippet, record.target), number, index, record)
                         for index, record in enumerate(ledger.all_records())]
    return ledger.sequence, sorted(items, key=lambda item: item[:3])


__all__ = ["StreamMerged", "merge_streams"]
