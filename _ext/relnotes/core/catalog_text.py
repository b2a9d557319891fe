"""The translations of a gettext catalog, each with its line, for rules that read them as pages.

A ``msgstr`` is parsed by MyST as the page is, so what a page may not name (a host file for
Sphinx to read), its translation may not either; ``relnotes check`` reads every catalog with this.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.pofile import read_po

from relnotes.core.bounded import InputFileError, read_bounded

#: Far above any page's catalog; a bigger file is a mistake or an attack.
CATALOG_SIZE_LIMIT = 16 * 1024 * 1024


class CatalogError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def read_translations(path: Path) -> list[tuple[str, int]]:
    """(translation, line of its entry) for every translated message of ``path``."""
    try:
        data = read_bounded(path, CATALOG_SIZE_LIMIT, what="catalog")
    except InputFileError as error:
        raise CatalogError(1, str(error)) from None
    try:
        catalog = read_po(BytesIO(data), abort_invalid=True)
    except Exception as error:  # babel raises PoFileError and plain ValueErrors
        raise CatalogError(getattr(error, "lineno", 1) or 1,
                           f"cannot read the catalog: {error}") from None
    found = []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = ((message.string,) if isinstance(message.string, str)
                   else tuple(message.string or ()))
        found += [(text, message.lineno or 1) for text in strings if text]
    return found
