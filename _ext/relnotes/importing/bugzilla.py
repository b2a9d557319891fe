"""The tracker form: bugs from Bugzilla's REST API, saved as JSON or fetched from a server.

Each bug's Doc Text (``cf_release_notes``) becomes a note whose kind comes from its doc type
(``cf_doc_type``). The API key, when given, is read from the environment and sent in a
header only: it never appears in a URL, a message or a written file.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from relnotes.core.model import LEGACY_KINDS, Kind, RecordError, parse_kind
from relnotes.importing.body import first_sentence, parse_body
from relnotes.importing.bugzilla_api import API_KEY_VARIABLE, DEFAULT_TIMEOUT, FIELDS, PAGE_SIZE
from relnotes.importing.document import BadInput, Imported, Note, check_component
from relnotes.importing.inputs import split_lines
from relnotes.importing.rest import (
    Opener,
    get_json,
    json_type,
    load_json,
    objects_in,
    open_url,
    search_request,
    server_url,
    shown_url,
)

#: The doc types are the release note types by their names; Bugzilla's old catch-all
#: "Release Note" is read as the legacy kind of that name was (see ``LEGACY_KINDS``).
DOC_TYPES: Mapping[str, Kind] = {
    **{kind.title: kind for kind in Kind},
    "Release Note": LEGACY_KINDS["release-note"],
}
# Bugzilla's unset value, and the values that say no note is needed.
NO_NOTE = frozenset({"If docs needed, set a value", "No Doc Update", "---", ""})


def parse_kind_map(items: Sequence[str]) -> dict[str, Kind]:
    """``--kind-map "Doc Type=kind"`` options, each checked."""
    mapping: dict[str, Kind] = {}
    for item in items:
        doc_type, equals, value = item.partition("=")
        if not equals or not doc_type.strip():
            raise BadInput("--kind-map", f"{item!r} is not DOCTYPE=KIND")
        try:
            mapping[doc_type.strip()] = parse_kind(value.strip())
        except RecordError:
            allowed = ", ".join(kind.value for kind in Kind)
            raise BadInput("--kind-map", f"{value.strip()!r} is not a kind ({allowed})") \
                from None
    return mapping


# -- reading ---------------------------------------------------------------------------------


def bugs_from_json(data: bytes, where: str) -> list[dict[str, Any]]:
    """The ``bugs`` of one saved REST response; its error object or faults are errors."""
    return _bugs_of(load_json(data, where), where)


def _bugs_of(document: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise BadInput(where, f"a Bugzilla response is a JSON object, not {json_type(document)}")
    if document.get("error"):
        code = document.get("code")
        raise BadInput(where, f"Bugzilla answered with an error"
                                  f"{f' {code}' if code is not None else ''}: "
                                  f"{document.get('message', 'no message')}")
    faults = document.get("faults")
    if faults:
        described = "; ".join(
            f"{fault.get('id', '?')}: {fault.get('faultString', fault)}" if isinstance(fault, dict)
            else str(fault) for fault in faults[:5])
        raise BadInput(where, f"Bugzilla reported {len(faults)} fault(s): {described}")
    return objects_in(document, "bugs", where, "GET /rest/bug")


def fetch_bugs(url: str, *, api_key: str | None, timeout: float = DEFAULT_TIMEOUT,
               opener: Opener = open_url) -> list[dict[str, Any]]:
    """Every bug the query URL selects, page by page (``limit``/``offset``)."""
    parts = server_url(url, what="a Bugzilla server", credential=api_key,
                       variable=API_KEY_VARIABLE)
    shown = shown_url(parts)
    headers = {"X-BUGZILLA-API-KEY": api_key} if api_key else {}
    path, query, page_size = search_request(
        parts, endpoint="/rest/bug", suffix="/rest/bug",
        paging=("include_fields", "limit", "offset", "api_key", "Bugzilla_api_key"),
        size_key="limit", default_size=PAGE_SIZE)
    bugs: list[dict[str, Any]] = []
    seen: set[Any] = set()
    offset = 0
    while True:
        page_query = [*query, ("include_fields", ",".join(FIELDS)), ("limit", str(page_size)),
                      ("offset", str(offset))]
        page_url = urllib.parse.urlunsplit(parts._replace(path=path,
                                                          query=urllib.parse.urlencode(page_query)))
        page = _bugs_of(get_json(page_url, shown, headers, timeout, opener),
                        f"{shown} (offset {offset})")
        if not page:
            return bugs
        ids = {bug.get("id") for bug in page}
        if ids <= seen:
            raise BadInput(shown, f"the server ignored offset={offset} (same bugs again)")
        seen |= ids
        bugs.extend(page)
        offset += len(page)


# -- notes -----------------------------------------------------------------------------------


def notes_from_bugs(bugs: Sequence[Mapping[str, Any]], where: str, *, component: str | None,
                    release: str | None, kind_map: Mapping[str, Kind]) -> Imported:
    result = Imported()
    first_index: dict[int, int] = {}
    doc_types = {**DOC_TYPES, **kind_map}
    for index, bug in enumerate(bugs):
        number = bug.get("id")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise BadInput(where, f"bugs[{index}]: 'id' is {number!r}, not a bug number")
        if number in first_index:
            raise BadInput(where, f"BZ#{number} appears twice (bugs[{first_index[number]}] "
                                      f"and bugs[{index}])")
        first_index[number] = index
        doc_type = _text_field(bug, "cf_doc_type", number, where).strip()
        if doc_type in NO_NOTE and doc_type not in kind_map:
            result.skipped.append(f"BZ#{number}: doc type {doc_type or 'unset'!r} says no note "
                                  "is needed")
            continue
        kind = doc_types.get(doc_type)
        if kind is None:
            known = ", ".join(repr(name) for name in DOC_TYPES)
            raise BadInput(where, f"BZ#{number}: unknown doc type {doc_type!r} (known: {known}; "
                                      f"or map it: --kind-map {doc_type!r}=KIND)")
        doc_text = _text_field(bug, "cf_release_notes", number, where)
        if not doc_text.strip():
            result.skipped.append(f"BZ#{number}: no Doc Text (cf_release_notes is empty)")
            continue
        result.notes.append(_note(bug, number, kind, doc_text, where, component, release))
    return result


def _text_field(bug: Mapping[str, Any], name: str, number: int, where: str) -> str:
    value = bug.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(where, f"BZ#{number}: {name!r} is {json_type(value)}, not a string")
    return value


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value) if value is not None else ""


def _note(bug: Mapping[str, Any], number: int, kind: Kind, doc_text: str, where: str,
          component: str | None, release: str | None) -> Note:
    name = check_component(component or _first(bug.get("component")).strip(),
                           f"{where}: BZ#{number}", "; give one with --component")
    if release:
        releases: tuple[str, ...] = (release,)
    else:
        version = bug.get("version")
        values = version if isinstance(version, list) else [version]
        releases = tuple(_one_line(str(v)) for v in values if v) or ("unspecified",)
    lines = list(enumerate(split_lines(doc_text), start=1))
    body = parse_body(lines, 0, line_paragraphs=False)
    summary = _one_line(_text_field(bug, "summary", number, where))
    title = summary or first_sentence(doc_text) or f"BZ#{number}"
    return Note(key=f"bz:{number}", origin=f"BZ#{number}", title=title, component=name,
                releases=releases, kind=kind, bz=(number,), body=body, id_hint=title)


def _one_line(text: str) -> str:
    # Commas separate releases in the page's field; a version never needs one.
    return re.sub(r"\s+", " ", text).replace(",", " ").strip()
