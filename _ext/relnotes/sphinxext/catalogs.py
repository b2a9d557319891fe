"""Checks of gettext catalogs (Sphinx-free): entries that would be silently dropped or broken.

A fuzzy entry is not used by gettext, an obsolete one belongs to no message any more, and a
translation whose format placeholders differ from its message fails or shows the wrong value
when it is formatted. Each is reported with the catalog's file and line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from relnotes.core.atomic import write_atomic

# %(name)s, %s, %d and {name} / {0}: what Python's % and str.format substitute.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdr]|%[sdr]|\{[A-Za-z_0-9.]*\}")


@dataclass(frozen=True)
class CatalogProblem:
    path: Path
    lineno: int
    message: str


class CatalogReadError(ValueError):
    """A catalog that cannot be parsed at all."""


def load_catalog(path: Path) -> Catalog:
    try:
        with path.open("rb") as stream:
            return read_po(stream, abort_invalid=True)
    except Exception as error:  # babel raises PoFileError and plain ValueErrors
        raise CatalogReadError(f"{path}: cannot read the catalog: {error}") from error


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def check_catalog(path: Path) -> list[CatalogProblem]:
    catalog = load_catalog(path)
    problems: list[CatalogProblem] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        problems.extend(_check_message(path, message))
    for message in catalog.obsolete.values():
        problems.append(CatalogProblem(
            path, message.lineno or 0, f"obsolete entry {_first(message.id)!r}: remove it "
            "(its message is no longer in the sources)"))
    return sorted(problems, key=lambda problem: problem.lineno)


def _first(value: str | tuple[str, ...] | list[str]) -> str:
    return _strings(value)[0]


def _check_message(path: Path, message: Message) -> Iterable[CatalogProblem]:
    lineno = message.lineno or 0
    if message.fuzzy:
        yield CatalogProblem(path, lineno, f"fuzzy entry {_first(message.id)!r} is not used: "
                             "review the translation and remove the fuzzy flag")
    wanted = placeholders(_first(message.id))
    for text in _strings(message.string):
        if text and placeholders(text) != wanted:
            yield CatalogProblem(
                path, lineno,
                f"placeholders of {_first(message.id)!r} differ in its translation: "
                f"expected {wanted}, found {placeholders(text)}")


def compile_catalog(po: Path, mo: Path) -> None:
    """Write ``po`` as ``mo`` (fuzzy entries left out), only when ``mo`` is older."""
    if mo.exists() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        return
    catalog = load_catalog(po)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    write_atomic(mo, compiled.getvalue())
