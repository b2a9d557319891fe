"""TOML files checked against a schema, with errors located at the key's line.

tomllib reports no positions, so the line of a key is found by scanning the text. Specs and
the site settings share this, so both name ``file:line: key.path: problem`` the same way.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class LocatedError(ValueError):
    """A problem in a file; the message names the file, the key path and (when found) the line."""

    def __init__(self, file: Path, key: str | None, message: str, line: int | None = None):
        where = str(file) + (f":{line}" if line else "")
        super().__init__(f"{where}: {key + ': ' if key else ''}{message}")
        self.file = file
        self.key = key
        self.line = line
        self.message = message

    @property
    def what(self) -> str:
        """The message without its place: the key path and the problem."""
        return f"{self.key + ': ' if self.key else ''}{self.message}"


def parse_toml(file: Path, text: str, error: type[LocatedError] = LocatedError) -> dict[str, Any]:
    """Parse ``text`` (read from ``file``); a syntax error names its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        match = re.search(r"line (\d+)", str(problem))
        # "at end of document" names no line: the problem is then the file's last line.
        line = int(match.group(1)) if match else max(1, len(text.splitlines()))
        raise error(file, None, f"not valid TOML: {problem}", line) from None
    except RecursionError:
        raise error(file, None, "not valid TOML: nested too deeply", 1) from None


class Validator:
    """Checks parsed TOML against a schema; its errors name the key path and its line."""

    def __init__(self, file: Path, text: str, error: type[LocatedError] = LocatedError):
        self.file = file
        self.text = text
        self.error_type = error

    def error(self, path: tuple[str | int, ...], message: str) -> LocatedError:
        key = dotted(path)
        return self.error_type(self.file, key or None, message, locate(self.text, path))

    def check(self, data: Mapping[str, Any], schema: Mapping[str, Any],
              path: tuple[str | int, ...]) -> None:
        for key, value in data.items():
            here = (*path, key)
            expected = schema.get(key, schema.get("*"))
            if expected is None:
                allowed = ", ".join(sorted(k for k in schema if k != "*"))
                raise self.error(here, f"unknown key {key!r} (allowed: {allowed})")
            if isinstance(expected, dict):
                if not isinstance(value, dict):
                    raise self.error(here, "must be a table")
                self.check(value, expected, here)
            elif isinstance(expected, list):
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    raise self.error(here, "must be an array of tables ([[...]])")
                for index, item in enumerate(value):
                    self.check(item, expected[0], (*here, index))
            elif expected is not object and (
                    not isinstance(value, expected) or isinstance(value, bool) != (expected is bool)):
                raise self.error(here, f"must be {_type_name(expected)}, not {type(value).__name__}")


def _type_name(expected: Any) -> str:
    names = {str: "a string", bool: "true or false", int: "an integer", list: "an array",
             (int, float): "a number"}
    return names.get(expected, str(expected))


def dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f"{'.' if i else ''}{p}"
                   for i, p in enumerate(path))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """Line of the key at ``path``; tomllib reports no positions, so scan the text.

    Handles tables, arrays of tables and dotted keys, which is all our specs use; an inline
    table's key is located at its parent's line.
    """
    table: tuple[str | int, ...] = ()
    counts: dict[tuple[str, ...], int] = {}
    best: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                counts[names] = counts.get(names, -1) + 1
                table = (*names, counts[names])
            else:
                table = names
            # [steps.edit] after [[steps]] is a table of the latest steps entry
            for size in range(len(names) - 1, 0, -1):
                if names[:size] in counts and header.group(1) == "[":
                    table = (*names[:size], counts[names[:size]], *names[size:])
                    break
            if table == path[: len(table)] and len(table) == len(path):
                return number
            continue
        key = _KEY.match(line)
        if key:
            full = (*table, *_split_key(key.group(1)))
            if full == path:
                return number
            if full == path[: len(full)]:
                best = number  # the inline table holding the key
    return best


def _split_key(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in key.split(".")]
