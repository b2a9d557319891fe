"""Writing a ledger (Sphinx-free): format 3, a header line and one record a line, atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

from relnotes.core.atomic import write_atomic_stream
from relnotes.core.ledger._ledger import FORMAT, Ledger
from relnotes.core.ledger._records import Record, sort_key


def header_line(sequence: int) -> bytes:
    return b'{"format":%d,"sequence":%d}\n' % (FORMAT, sequence)


def record_line(record: Record) -> bytes:
    """A record as its line: compact JSON, keys sorted, newline-terminated (JSON escapes every
    newline inside a string, so a record never spans two lines)."""
    return (json.dumps(record.to_json(), sort_keys=True, ensure_ascii=False,
                       separators=(",", ":")) + "\n").encode("utf-8")


class RecordWriter:
    """Writes a ledger line by line: ``write_ledger`` and the streamed merge both write with
    it, so a record is the same line wherever it is written; a line read from a format 3 file
    (already such a line, checked) is written as it was read."""

    def __init__(self, stream: BinaryIO, sequence: int | None) -> None:
        """``sequence`` None: lines only, no header (a part of a merge's output)."""
        self.stream = stream
        self.count = 0
        if sequence is not None:
            stream.write(header_line(sequence))

    def write(self, record: Record) -> None:
        self.stream.write(record_line(record))
        self.count += 1

    def write_line(self, line: bytes) -> None:
        self.stream.write(line if line.endswith(b"\n") else line + b"\n")
        self.count += 1


def write_ledger(ledger: Ledger, path: Path) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    def write(stream: BinaryIO) -> None:
        writer = RecordWriter(stream, ledger.sequence)
        for record in sorted(ledger.all_records(), key=sort_key):
            writer.write(record)

    write_atomic_stream(path, write)
