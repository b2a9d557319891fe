"""Reading a ledger file (Sphinx-free): formats 1 to 3, every record checked, errors located.

Format 3, what runs write (documented in the README)::

    {"format":3,"sequence":<the number of its last run>}
    <one record a line, compact JSON, sorted by (snippet, target) then run>

Formats 1 and 2 are one JSON object, ``{"format": 2, "sequence": ..., "records": [...]}``;
they are still read, as a whole. A record dated in the future, or numbered beyond its ledger's
last run, is an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.ledger._ledger import FORMAT, Ledger
from relnotes.core.ledger._records import Record
from relnotes.core.ledger._schema import (
    LINE,
    RecordData,
    RecordInvalid,
    checked,
    explain_line,
    from_object,
    to_record,
)

READABLE_FORMATS = (1, 2, 3)
#: A record stamped later than this past the reader's clock is an error, not a winner.
CLOCK_TOLERANCE = timedelta(minutes=5)
#: Thousands of records with their logs are a few MiB; a ledger is never near this.
LEDGER_SIZE_LIMIT = 256 * 2**20


class LedgerError(ValueError):
    """The ledger file cannot be read; the message says where and why."""


def now() -> datetime:
    return datetime.now(UTC)


def header_of(path: Path, first: bytes) -> int | None:
    """The run number a format 3 ledger's first line declares, or None when the file is not
    format 3 (an older format's one JSON object: the caller reads it whole)."""
    try:
        header = json.loads(first)
    except (ValueError, RecursionError):  # not JSON on its own (an older format's first line)
        return None
    if not isinstance(header, dict) or header.get("format") != 3:
        return None
    declared = declared_sequence(path, header.get("sequence"))
    if declared is None:
        raise LedgerError(f"{path}:1: the format 3 header names no sequence (its last run)")
    return declared


def declared_sequence(path: Path, declared: Any) -> int | None:
    """The ledger's own number of its last run (None in ledgers that state none)."""
    if declared is not None and (isinstance(declared, bool) or not isinstance(declared, int)):
        raise LedgerError(f"{path}: sequence: not a whole number")
    return declared


Key = tuple[str, str]


class Unsorted(Exception):
    """A file's records are not in (snippet, target) order (a merge then reads it whole)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)  # as its args: raised in a second process, it crosses a pipe
        self.path = path


class Line(NamedTuple):
    """One record line of a format 3 file, checked. Its first three fields order it among the
    lines of the files a merge reads (file and index make it unique)."""

    key: Key  # (snippet, target)
    file_number: int  # which of the files merged (0 when one file is read)
    position: int  # its place among the file's records
    number: int  # its line in the file (the header is line 1)
    file: str
    data: RecordData
    raw: bytes  # as read, newline included: a merge writes a winner's line unchanged

    @property
    def where(self) -> str:
        return f"{self.file}:{self.number}: records[{self.position}]"

    def record(self) -> Record:
        return to_record(self.data, checked(self.data, datetime.max.replace(tzinfo=UTC)))


def read_lines(path: Path, lines: Iterable[bytes], declared: int, latest: datetime, *,
               file_number: int = 0, first_number: int = 2, first_index: int = 0,
               ordered: bool = False, low: Key = ("", ""), high: Key | None = None
               ) -> Iterator[Line]:
    """Each record line, checked: its JSON, its fields, its date and its run number against
    the header's ``declared``. ``lines`` start at the file's second line, or at the line
    ``first_number`` that holds record ``first_index`` (a part of the file). ``ordered``: the
    keys must not decrease and lie in [``low``, ``high``), else ``Unsorted``."""
    file = str(path)
    index = first_index
    previous = low
    for number, raw in enumerate(lines, start=first_number):
        try:
            data = LINE.decode(raw)
        except msgspec.ValidationError as error:
            raise LedgerError(f"{file}:{number}: records[{index}]: "
                              f"{explain_line(raw, error)}") from None
        except msgspec.DecodeError:
            if not raw.strip():
                continue  # a blank line (an editor's last newline)
            raise LedgerError(_not_json(path, number, raw)) from None
        try:
            checked(data, latest)
        except RecordInvalid as error:
            raise LedgerError(f"{file}:{number}: records[{index}]: {error}") from None
        if data.run.sequence > declared:
            raise beyond_error(f"{file}:{number}: records[{index}]", data.snippet,
                               data.environment.target, data.run.sequence, declared)
        key = (data.snippet, data.environment.target)
        if ordered:
            if key < previous or (high is not None and key >= high):
                raise Unsorted(path)
            previous = key
        yield Line(key, file_number, index, number, file, data, raw)
        index += 1


def _not_json(path: Path, number: int, raw: bytes) -> str:
    """A line msgspec cannot parse, in the words (and column) of the stdlib's parser."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{path}:{number}: not UTF-8 (byte {error.start} of the line)"
    try:
        json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as error:
        return f"{path}:{number}:{error.colno}: not JSON: {error.msg}"
    except RecursionError:
        return f"{path}:{number}: not a ledger: nested too deeply"
    return f"{path}:{number}: not JSON"  # pragma: no cover - msgspec and json agree


def load_ledger(path: Path, located: dict[int, str] | None = None) -> Ledger:
    """Read a ledger; a missing file is an empty ledger, anything malformed a LedgerError.

    ``located``, when given, receives where each record was read (``id(record)`` to
    ``"<path>: records[<index>]"``, with the line in format 3), for errors about records found
    later (conflicts)."""
    if not os.path.lexists(path):
        return Ledger()
    try:
        raw = read_bounded(path, LEDGER_SIZE_LIMIT, what="ledger")
    except InputFileError as error:
        raise LedgerError(str(error)) from None
    first, _newline, rest = raw.partition(b"\n")
    declared = header_of(path, first)
    ledger = Ledger()
    if declared is not None:
        for line in read_lines(path, rest.splitlines(keepends=True), declared,
                               now() + CLOCK_TOLERANCE):
            record = line.record()
            if located is not None:
                located[id(record)] = line.where
            ledger.add(record)
        ledger.sequence = max(ledger.sequence, declared)
        return ledger
    return _load_object(path, raw, located)


def _load_object(path: Path, raw: bytes, located: dict[int, str] | None) -> Ledger:
    """Formats 1 and 2: one JSON object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[:error.start].count(b"\n") + 1
        raise LedgerError(f"{path}:{line}: not UTF-8 (byte {error.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LedgerError(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}") from None
    except RecursionError:
        raise LedgerError(f"{path}: not a ledger: nested too deeply") from None
    if not isinstance(data, dict) or data.get("format") not in (1, 2):
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        hint = (": format 3 is a header line, then one record a line" if found == 3 else "")
        raise LedgerError(f"{path}: unsupported ledger format {found!r} (expected {FORMAT})"
                          + hint)
    items = data.get("records", [])
    if not isinstance(items, list):
        raise LedgerError(f"{path}: records: must be a list of records, not "
                          f"{json_type(items)}")
    declared = declared_sequence(path, data.get("sequence"))
    ledger = Ledger()
    latest = now() + CLOCK_TOLERANCE
    for index, item in enumerate(items):
        where = f"{path}: records[{index}]"
        record = read_record(where, item, latest)
        if declared is not None and record.run_sequence > declared:
            raise beyond_error(where, record.snippet, record.target, record.run_sequence,
                               declared)
        if located is not None:
            located[id(record)] = where
        ledger.add(record)
    ledger.sequence = max(ledger.sequence, declared or 0)
    return ledger


def read_record(where: str, item: Any, latest: datetime) -> Record:
    """One record of a format 1 or 2 file (a parsed object), checked as a format 3 line is:
    its fields, its date (``latest``: the reader's clock plus the tolerance)."""
    try:
        data = from_object(item)
        return to_record(data, checked(data, latest))
    except RecordInvalid as error:
        raise LedgerError(f"{where}: {error}") from None


def beyond_error(where: str, snippet: str, target: str, sequence: int, declared: int
                 ) -> LedgerError:
    return LedgerError(
        f"{where}: {snippet} on {target} claims run {sequence}, beyond the ledger's last run "
        f"({declared}): the record was edited or copied from another ledger; re-run the check "
        "(relnotes verify) rather than trust it")


def json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
