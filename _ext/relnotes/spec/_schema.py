"""The keys and types a spec may have, checked strictly and reported at the key's line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._model import SpecError

PROBES = frozenset({
    "pci-ids", "cpu", "qom", "block-formats", "vnc-auth", "running", "cmdline",
    "distinct-identity", "nic-models",
})

# The accepted keys: a nested dict is a table, a list with one dict is an array of tables.
_EXPECTATION: dict[str, Any] = {"equals": object, "not_equals": object, "contains": object,
                                "lacks": object}
SCHEMA: dict[str, Any] = {
    "kind": str, "summary": str, "timeout": (int, float), "not_verifiable": str,
    "expected_failure": {"*": str}, "failure_contains": {"*": str}, "verified_by": str,
    "guest": str, "expect_output": str,
    "apply": {"mode": str, "target": str, "ellipsis": bool, "keep_attributes": list,
              "adaptation": str},
    "setup": [{"run": list, "why": str}],
    "steps": [{"snippet": str, "action": str, "install": str, "exit_status": int,
               "edit": {"file": str, "offered": str, "replace": list, "fragment": str, "delete": list,
                        "set": {"*": str}}}],
    "effects": [{"probe": str, "guest": str, "path": str, "property": str, "why": str,
                 **_EXPECTATION, "control": dict(_EXPECTATION)}],
}


class Validator:
    """Checks parsed TOML against a schema; its errors name the key path and its line."""

    def __init__(self, file: Path, text: str):
        self.file = file
        self.text = text

    def error(self, path: tuple[str | int, ...], message: str) -> SpecError:
        key = _dotted(path)
        return SpecError(self.file, key or None, message, _locate(self.text, path))

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


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f"{'.' if i else ''}{p}"
                   for i, p in enumerate(path))


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def _locate(text: str, path: tuple[str | int, ...]) -> int | None:
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
