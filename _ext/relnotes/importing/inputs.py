"""Reading untrusted input: bounded in size, UTF-8 or a located error, never half-read."""

from __future__ import annotations

from pathlib import Path

from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.importing.document import BadInput

# Far above any real section or saved query (10,000 bugs with long Doc Text is ~15 MB), far
# below what would hurt: a pasted 50 MB file is a mistake, said so before anything is parsed.
MAX_BYTES = 32 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes, bounded: a FIFO, a device or a folder is refused at once."""
    try:
        return read_bounded(path, MAX_BYTES)
    except InputFileError as error:
        raise BadInput(str(path), str(error).removeprefix(f"{path}: ")) from None


def decode(data: bytes, where: str) -> str:
    """The text of ``data``; empty or non-UTF-8 input is an error naming the line."""
    if len(data) > MAX_BYTES:
        raise BadInput(where, f"too large ({len(data) / 2**20:.1f} MiB; the limit is "
                                  f"{MAX_BYTES // 2**20} MiB)")
    if not data.strip():
        raise BadInput(where, "is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BadInput(where, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                                  f"{error.start})", line) from None


def split_lines(text: str) -> list[str]:
    """Lines as a reader sees them: only newlines end a line (not form feeds or U+2028)."""
    text = text.removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]
