"""Ledger files merged as streams (Sphinx-free): many large ledgers into one in bounded memory.

A format 3 ledger is a header line, then one record a line sorted by (snippet, target), so a
merge reads every file at once, a line at a time, and writes each (snippet, target) as soon as
every file has moved past it: memory holds about one record per file, never every record.
Every line is checked as ``load_ledger`` checks it (its types while it is parsed, then its
result, date and run number); a (snippet, target) that only one file has, the common case, is
written as the line it was read, unchanged. Where several files have one, the records are
built and resolved by ``Ledger.add``, the rule of an in-memory merge (a test proves both give
the same ledger), and the lines of the records that stand are written.

With enough to share and a second core, a second process (forked) merges the keys from a
boundary on (``_split``) while this one merges those before it; its lines then follow these.
A file of format 1 or 2 (one JSON object), and a format 3 file that is not sorted (edited by
hand), is read whole (``load_ledger``, one file at a time) and streamed from a sorted copy
beside the output, each record still named where the original file has it. The output
appears only when the whole merge succeeded; no copy or part is left behind.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import operator
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from relnotes.core.atomic import scratch_file, write_atomic_stream
from relnotes.core.ledger import _split
from relnotes.core.ledger._ledger import Ledger, conflict_locations
from relnotes.core.ledger._reading import (
    CLOCK_TOLERANCE,
    Key,
    LedgerError,
    Line,
    Unsorted,
    header_of,
    load_ledger,
    now,
    read_lines,
)
from relnotes.core.ledger._records import sort_key
from relnotes.core.ledger._writing import RecordWriter, header_line


class _Conflicts(Exception):
    """Raised from the writer to leave the output unwritten: the conflicts are reported."""


class _SecondProcessLost(Exception):
    """The second process died (killed, out of memory): merge again in this one."""


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
    shared = True
    while True:  # the output is not written when an attempt fails
        try:
            return _merge(paths, declared, output, whole, shared)
        except Unsorted as unsorted:
            whole.add(unsorted.path)  # read it whole this time
        except _SecondProcessLost:
            shared = False


@dataclass(frozen=True)
class _File:
    """A format 3 file to stream: its header's run number, where its records begin, its size;
    for a sorted copy of another file, where each of its records is in that file."""

    path: Path
    number: int  # its place among the files merged
    declared: int
    start: int
    size: int
    wheres: tuple[str, ...] | None = None


def _merge(paths: list[Path], declared: Collection[str], output: Path, whole: set[Path],
           shared: bool) -> StreamMerged:
    merged = StreamMerged()
    latest = now() + CLOCK_TOLERANCE
    left_out: Counter[tuple[int, str]] = Counter()
    with contextlib.ExitStack() as copies:  # removes the sorted copies, whatever happens
        files = [file for number, path in enumerate(paths)
                 if (file := _open(path, number, path in whole, output, copies)) is not None]
        merged.sequence = max((file.declared for file in files), default=0)
        boundary = _boundary(files) if shared else None
        cuts = [file.size for file in files]
        if boundary is not None:
            for index, file in enumerate(files):
                with file.path.open("rb") as stream:
                    cuts[index] = _split.cut(stream, file.start, file.size, boundary)
        sources = [_file_lines(file, file.start, cut, latest, high=boundary)
                   for file, cut in zip(files, cuts, strict=True)]
        locate = _Located(files, [file.start for file in files])

        def write(stream: BinaryIO) -> None:
            writer = RecordWriter(stream, merged.sequence)
            if boundary is None:
                merged.conflicts += _write_merged(sources, declared, writer, left_out, locate)
            else:
                merged.conflicts += _merge_halves(sources, files, cuts, boundary, declared,
                                                  latest, output, writer, left_out, locate)
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


def _open(path: Path, number: int, whole: bool, output: Path, copies: contextlib.ExitStack
          ) -> _File | None:
    """``path`` as a file to stream (a sorted copy of it, if it is of an older format or
    ``whole``: not sorted); None when it does not exist (as ``load_ledger``: an empty ledger)."""
    try:
        with path.open("rb") as stream:
            declared = header_of(path, stream.readline())
            start, size = stream.tell(), os.fstat(stream.fileno()).st_size
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LedgerError(f"{path}: cannot read the ledger: {error}") from error
    if declared is not None and not whole:
        return _File(path, number, declared, start, size)
    located: dict[int, str] = {}
    ledger = load_ledger(path, located)
    records = sorted(ledger.all_records(), key=sort_key)
    copy = scratch_file(output, ".sorted", copies)
    with copy.open("wb", buffering=1 << 20) as stream:
        writer = RecordWriter(stream, ledger.sequence)
        for record in records:
            writer.write(record)
    return _File(copy, number, ledger.sequence, len(header_line(ledger.sequence)),
                 copy.stat().st_size, tuple(located[id(record)] for record in records))


def _until(stream: BinaryIO, position: int, end: int) -> Iterator[bytes]:
    """The lines from ``position`` (where ``stream`` is) to ``end``."""
    for raw in stream:
        if position >= end:
            return
        position += len(raw)
        yield raw


def _file_lines(file: _File, begin: int, end: int, latest: datetime, low: Key = ("", ""),
                high: Key | None = None) -> Iterator[Line]:
    """The checked lines of ``file`` from byte ``begin`` (a line's start) to ``end``, in order
    and in [``low``, ``high``)."""
    with file.path.open("rb") as stream:
        stream.seek(begin)
        lines = stream if end >= file.size else _until(stream, begin, end)
        try:
            yield from read_lines(file.path, lines, file.declared, latest,
                                  file_number=file.number, ordered=True, low=low, high=high)
        except LedgerError:
            if begin == file.start:
                raise
            # a part after the file's first record: number its lines as the file does, read
            # the part again to the same error, and say where it is in the file
            number, index = _numbering(file, begin)
            stream.seek(begin)
            lines = stream if end >= file.size else _until(stream, begin, end)
            for _line in read_lines(file.path, lines, file.declared, latest,
                                    first_number=number, first_index=index):
                pass
            raise  # pragma: no cover - the same line fails again


def _numbering(file: _File, begin: int) -> tuple[int, int]:
    """The line number and the record index of the line at byte ``begin`` of ``file``."""
    if begin == file.start:
        return 2, 0
    with file.path.open("rb") as stream:
        stream.seek(file.start)
        before = stream.read(begin - file.start)
    return 2 + before.count(b"\n"), sum(1 for line in before.split(b"\n") if line.strip())


class _Located:
    """Where a line is, as its file numbers it: a part that starts inside the file numbers its
    lines from its start, and a sorted copy's records are named where the original has them
    (only a conflict's message needs more than the line knows)."""

    def __init__(self, files: list[_File], begins: list[int]) -> None:
        self.parts = {file.number: (file, begin) for file, begin in zip(files, begins,
                                                                        strict=True)}
        self.bases: dict[int, tuple[int, int]] = {}

    def __call__(self, line: Line) -> str:
        file, begin = self.parts[line.file_number]
        if line.file_number not in self.bases:
            self.bases[line.file_number] = _numbering(file, begin)
        number, index = self.bases[line.file_number]
        if file.wheres is not None:
            return file.wheres[line.position + index]
        return f"{line.file}:{line.number - 2 + number}: records[{line.position + index}]"


def _write_merged(sources: list[Iterator[Line]], declared: Collection[str],
                  writer: RecordWriter, left_out: Counter[tuple[int, str]],
                  locate: Callable[[Line], str]) -> list[str]:
    """Each (snippet, target) of the sources, in order, resolved and written; the conflicts,
    each record named where ``locate`` says it is."""
    conflicts: list[str] = []
    write = writer.write_line
    # (snippet, target), file number, index in the file: unique, so lines never compare further
    for key, group in itertools.groupby(heapq.merge(*sources), key=operator.itemgetter(0)):
        lines = list(group)
        if key[1] not in declared:
            left_out.update((line.file_number, key[1]) for line in lines)
        elif len(lines) == 1:  # most keys: one record, nothing to resolve
            write(lines[0].raw)
        else:
            conflicts += _resolve(key, lines, writer, locate)
    return conflicts


def _resolve(key: Key, lines: list[Line], writer: RecordWriter, locate: Callable[[Line], str]
             ) -> list[str]:
    """Several records of one (snippet, target): the ones that stand (``Ledger.add``) written,
    each as the line it was read; the conflicts among them, located."""
    ledger = Ledger()
    read: dict[int, Line] = {}
    for line in lines:
        record = line.record()
        read[id(record)] = line
        ledger.add(record)
    conflicts = []
    if len(ledger.standing[key]) > 1:
        where = {ident: locate(line) for ident, line in read.items()}
        conflicts = [conflict_locations(records, where) for records in ledger.conflicts()]
    for record in sorted(ledger.all_records(), key=sort_key):
        writer.write_line(read[id(record)].raw)
    return conflicts


# -- both cores ----------------------------------------------------------------------------

#: Below this many bytes of records, one process is done before a second one has started.
PARALLEL_BYTES = 32 * 2**20


def _boundary(files: list[_File]) -> Key | None:
    """The key that halves the records, when there is enough to share and a second core."""
    import multiprocessing  # only a merge this large needs it

    if (sum(file.size - file.start for file in files) < PARALLEL_BYTES or _cores() < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    samples = []
    for file in files:
        with file.path.open("rb") as stream:
            samples += _split.sample(stream, file.start, file.size)
    return _split.median(samples)


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - where the affinity is not known


@dataclass
class _Part:
    """What the second process merged (its lines are in the file it was given)."""

    records: int
    conflicts: list[str]
    left_out: Counter[tuple[int, str]]


def _merge_halves(sources: list[Iterator[Line]], files: list[_File], cuts: list[int],
                  boundary: Key, declared: Collection[str], latest: datetime, output: Path,
                  writer: RecordWriter, left_out: Counter[tuple[int, str]],
                  locate: Callable[[Line], str]) -> list[str]:
    """The keys before ``boundary`` merged here, the rest in a second process (forked: it
    shares nothing but the paths), whose lines then follow these in the output; the
    conflicts of both, in key order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with contextlib.ExitStack() as stack:
        part_path = scratch_file(output, ".part", stack)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_merge_part, files, cuts, boundary, tuple(declared), latest,
                                 part_path)
            conflicts = _write_merged(sources, declared, writer, left_out, locate)
            try:
                part = future.result()
            except BrokenProcessPool:
                raise _SecondProcessLost from None
        left_out.update(part.left_out)
        writer.stream.flush()
        with part_path.open("rb") as lines:
            _append(lines.fileno(), writer.stream.fileno(), os.fstat(lines.fileno()).st_size)
        writer.count += part.records
        return conflicts + part.conflicts


def _merge_part(files: list[_File], cuts: list[int], low: Key, declared: tuple[str, ...],
                latest: datetime, path: Path) -> _Part:
    """In the second process: the keys from ``low`` on, merged into ``path``."""
    left_out: Counter[tuple[int, str]] = Counter()
    with path.open("wb", buffering=1 << 20) as stream:
        writer = RecordWriter(stream, None)
        sources = [_file_lines(file, cut, file.size, latest, low=low)
                   for file, cut in zip(files, cuts, strict=True)]
        conflicts = _write_merged(sources, declared, writer, left_out, _Located(files, cuts))
    return _Part(writer.count, conflicts, left_out)


def _append(source: int, target: int, size: int) -> None:
    """``size`` bytes of ``source`` appended to ``target`` (in the kernel where it can)."""
    while size > 0:
        try:
            copied = os.copy_file_range(source, target, size)
        except OSError:  # another file system, an older kernel: copy through memory
            copied = os.write(target, os.read(source, min(size, 1 << 20)))
        if copied == 0:
            raise OSError("the merged part ended early")
        size -= copied


__all__ = ["StreamMerged", "merge_streams"]
