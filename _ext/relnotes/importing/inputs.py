"""Reading untrusted input: bounded in size, UTF-8 or a located error, never half-read."""

from __future__ import annotations

from pathlib import Path

from relnotes.importing.document import BadInput

# Far above any real section or saved query (10,000 bugs with long Doc Text is ~15 MB), far
# below what would hurt: a pasted 50 MB file is a mistake, said so before anything is parsed.
MAX_BYTES = 32 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BadInput(where, f"too large ({size / 2**20:.1f} MiB; the limit is "
                                      f"{MAX_BYTES // 2**20} MiB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(where, "no such file") from None
    except IsADirectoryError:
        raise BadInput(where, "is a directory, not a file") from None
    except OSError as error:
        raise BadInput(where, f"cannot be read: {error.strerror}") from None
    return data


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
