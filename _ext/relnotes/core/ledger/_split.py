"""Where to cut sorted format 3 files so that two processes merge halves of the key space.

Every file is sorted by (snippet, target), so one key cuts each file at one line: the records
before it go to one process, the rest to the other, and a (snippet, target) is never split
between them. The key is the weighted median of a few keys sampled from every file, so both
halves hold about as many bytes whatever the files' shapes (each file its own snippets, or all
the same). Nothing here trusts the order: each process checks that its part is sorted and on
its side of the key, and a file that is not makes the merge read it whole instead.
"""

from __future__ import annotations

from typing import BinaryIO

import msgspec

Key = tuple[str, str]
SAMPLES = 16  # keys sampled per file


class _Environment(msgspec.Struct):
    target: str = ""


class _Key(msgspec.Struct):
    snippet: str = ""
    environment: _Environment = msgspec.field(default_factory=_Environment)


_KEY = msgspec.json.Decoder(_Key)


def _line_at(stream: BinaryIO, position: int, start: int) -> tuple[int, bytes]:
    """The first line that begins at or after ``position`` (``start``: where lines begin)."""
    if position <= start:
        stream.seek(start)
    else:
        stream.seek(position - 1)
        stream.readline()  # the rest of the line ``position`` falls in
    offset = stream.tell()
    return offset, stream.readline()


def _key(line: bytes) -> Key | None:
    try:
        found = _KEY.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None  # the merge itself says what is wrong with it
    return (found.snippet, found.environment.target)


def sample(stream: BinaryIO, start: int, size: int) -> list[tuple[Key, int]]:
    """Keys of lines spread over the file, each with the bytes it stands for."""
    found = []
    share = max(1, (size - start) // SAMPLES)
    for number in range(SAMPLES):
        _offset, line = _line_at(stream, start + number * share, start)
        key = _key(line) if line else None
        if key is not None:
            found.append((key, share))
    return found


def median(samples: list[tuple[Key, int]]) -> Key | None:
    """The key with about half the sampled bytes before it."""
    ordered = sorted(samples)
    half = sum(weight for _key, weight in ordered) / 2
    seen = 0
    for key, weight in ordered:
        seen += weight
        if seen >= half:
            return key
    return None


def cut(stream: BinaryIO, start: int, size: int, boundary: Key) -> int:
    """The offset of the first line whose key is ``boundary`` or after it (``size`` if none),
    by bisection over the file's bytes."""
    low, high = start, size
    while low < high:
        middle = (low + high) // 2
        _offset, line = _line_at(stream, middle, start)
        key = _key(line) if line else None
        if not line or (key is not None and key >= boundary):
            high = middle
        else:
            low = middle + 1
    return _line_at(stream, low, start)[0] if low < size else size
