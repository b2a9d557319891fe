"""Tickets from Jira's REST search (``/rest/api/2/search``), saved as JSON or fetched.

Each ticket's Release Note Text becomes a note whose kind is its Release Note Type. The two
fields' ids differ between Jira instances: they come from ``relnotes.toml``'s ``[jira]``
(the defaults are the vendor's public instance's). A ticket that cannot be imported (a field
of the wrong type, an unknown type, a text whose markup cannot be read) is a fault: listed
with its key and field, the other tickets imported; with ``strict``, nothing is written.
What makes the whole response unreadable (not a search response, a field id that no ticket
has, a key twice) is a located error, and nothing is written.

A token, when given, is read from the environment and sent as a bearer token in a header
only: it never appears in a URL, a message or a written file.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from relnotes.core.model import JIRA_KEY, Kind
from relnotes.importing.body import first_sentence, parse_body, unique_snippets
from relnotes.importing.document import (
    BadInput,
    Block,
    Imported,
    Note,
    SnippetUse,
    Step,
    Steps,
    check_component,
)
from relnotes.importing.inputs import split_lines
from relnotes.importing.jira_api import DEFAULT_TIMEOUT, PAGE_SIZE, TOKEN_VARIABLE
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
from relnotes.importing.snippets import extract
from relnotes.importing.wiki import Code, MarkupError, Prose, continues_numbering, split_parts

# The tracker's unset value and the values that say no note is needed (compared casefolded).
NO_NOTE = frozenset({"", "---", "none", "if docs needed, set a value", "no doc update",
                     "release note not required", "release note not needed"})
# A Release Note Status that says the text is final; any other is listed as needing editing.
DONE_STATUSES = frozenset({"done", "approved", "published"})
_OUTPUT_LINE = re.compile(r"^[A-Z][A-Z_]{2,}:\s")


@dataclass(frozen=True)
class JiraFields:
    """The ids of the release-note fields in this Jira instance."""

    type_field: str = "customfield_12320850"
    text_field: str = "customfield_12317313"
    status_field: str = ""

    def named(self) -> dict[str, str]:
        names = {self.type_field: "Release Note Type", self.text_field: "Release Note Text"}
        if self.status_field:
            names[self.status_field] = "Release Note Status"
        return names

    def requested(self) -> list[str]:
        return ["summary", "components", "versions", "fixVersions", "status", *self.named()]


# -- reading ---------------------------------------------------------------------------------


def issues_from_json(data: bytes, where: str) -> list[dict[str, Any]]:
    """The ``issues`` of one saved search response; Jira's error answer is an error."""
    return _issues_of(load_json(data, where), where)


def _issues_of(document: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        raise BadInput(where, f"a Jira search response is a JSON object, not "
                              f"{json_type(document)}")
    messages = document.get("errorMessages")
    if messages:
        shown = "; ".join(str(message) for message in messages[:5]) \
            if isinstance(messages, list) else str(messages)
        raise BadInput(where, f"Jira answered with an error: {shown}")
    return objects_in(document, "issues", where, "GET /rest/api/2/search")


def fetch_issues(url: str, *, token: str | None, fields: JiraFields,
                 timeout: float = DEFAULT_TIMEOUT,
                 opener: Opener = open_url) -> list[dict[str, Any]]:
    """Every ticket the search URL's JQL selects, page by page (``startAt``/``maxResults``)."""
    parts = server_url(url, what="a Jira server", credential=token, variable=TOKEN_VARIABLE)
    shown = shown_url(parts)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    path, query, page_size = search_request(
        parts, endpoint="/rest/api/2/search", suffix="/search",
        paging=("fields", "startAt", "maxResults"), size_key="maxResults", default_size=PAGE_SIZE)
    issues: list[dict[str, Any]] = []
    seen: set[Any] = set()
    start = 0
    while True:
        page_query = [*query, ("fields", ",".join(fields.requested())),
                      ("startAt", str(start)), ("maxResults", str(page_size))]
        page_url = urllib.parse.urlunsplit(parts._replace(
            path=path, query=urllib.parse.urlencode(page_query)))
        document = get_json(page_url, shown, headers, timeout, opener)
        page = _issues_of(document, f"{shown} (startAt {start})")
        if not page:
            return issues
        keys = {issue.get("key") for issue in page}
        if keys <= seen:
            raise BadInput(shown, f"the server ignored startAt={start} (same tickets again)")
        seen |= keys
        issues.extend(page)
        start += len(page)
        total = document.get("total")
        if isinstance(total, int) and start >= total:
            return issues


# -- notes -----------------------------------------------------------------------------------


class _Fault(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


def notes_from_issues(issues: Sequence[Mapping[str, Any]], where: str, *, fields: JiraFields,
                      component: str | None, release: str | None,
                      kind_map: Mapping[str, Kind], strict: bool = False,
                      releases: Sequence[str] = ()) -> Imported:
    """Notes of the tickets; faults listed (raised together with ``strict``).

    ``releases``: the site's declared releases; a ticket's release outside them is a fault.
    """
    _check_field_ids(issues, where, fields)
    result = Imported()
    first_index: dict[str, int] = {}
    for index, issue in enumerate(issues):
        key = issue.get("key")
        if not isinstance(key, str) or not JIRA_KEY.match(key):
            raise BadInput(where, f"issues[{index}]: 'key' is {key!r}, not a Jira issue key")
        if key in first_index:
            raise BadInput(where, f"{key} appears twice (issues[{first_index[key]}] and "
                                  f"issues[{index}])")
        first_index[key] = index
        values = issue.get("fields")
        if not isinstance(values, dict):
            result.faults.append(f"{key}: fields: {json_type(values)}, not an object")
            continue
        try:
            note = _note(key, values, where, fields=fields, component=component,
                         release=release, kind_map=kind_map, releases=releases, result=result)
        except _Fault as fault:
            result.faults.append(f"{key}: {fault.field_name}: {fault.message}")
            continue
        if note is not None:
            result.notes.append(note)
    if strict and result.faults:
        raise BadInput(where, f"{len(result.faults)} ticket(s) cannot be imported (--strict):\n"
                       + "\n".join(f"  {fault}" for fault in result.faults))
    return result


def _check_field_ids(issues: Sequence[Mapping[str, Any]], where: str,
                     fields: JiraFields) -> None:
    """A field id no ticket carries is a wrong id (Jira leaves unknown fields out)."""
    if not issues:
        return
    for field_id, name in fields.named().items():
        if not any(isinstance(issue.get("fields"), dict) and field_id in issue["fields"]
                   for issue in issues):
            raise BadInput(where, f"no ticket has the field {field_id!r} ({name}): set its id "
                                  f"in relnotes.toml's [jira] for this Jira instance")


def _note(key: str, values: Mapping[str, Any], where: str, *, fields: JiraFields,
          component: str | None, release: str | None, kind_map: Mapping[str, Kind],
          releases: Sequence[str], result: Imported) -> Note | None:
    note_type = _option(values, fields.type_field)
    if note_type.strip().casefold() in NO_NOTE and note_type.strip() not in kind_map:
        result.skipped.append(f"{key}: Release Note Type {note_type.strip() or 'unset'!r} says "
                              "no note is needed")
        return None
    kind = kind_map.get(note_type.strip()) or Kind.from_tracker(note_type)
    if kind is None:
        known = ", ".join(repr(k.title) for k in Kind)
        raise _Fault(fields.type_field, f"unknown Release Note Type {note_type.strip()!r} "
                                        f"(known: {known}; or map it: --kind-map "
                                        f"{note_type.strip()!r}=KIND)")
    text = _string(values, fields.text_field)
    if not text.strip():
        result.skipped.append(f"{key}: no Release Note Text ({fields.text_field} is empty)")
        return None
    if fields.status_field:
        status = _option(values, fields.status_field).strip()
        if status.casefold() not in DONE_STATUSES:
            result.needs_editing.append(f"{key}: Release Note Status is "
                                        f"{status or 'unset'!r}, not done")
    name = _component(key, values, component)
    fix_versions = _names(values, "fixVersions")
    if release:
        note_releases: tuple[str, ...] = (release,)
    else:
        note_releases = fix_versions or _names(values, "versions") or ("unspecified",)
    unknown = [r for r in note_releases if releases and r not in releases]
    if unknown:
        raise _Fault("fixVersions" if not release and fix_versions else "versions",
                     f"release {unknown[0]!r} is not one of the site's releases "
                     f"({', '.join(releases)})")
    try:
        body = _body(split_lines(text))
    except MarkupError as error:
        raise _Fault(fields.text_field, f"line {error.line} of the Release Note Text: "
                                        f"{error}") from None
    summary = _one_line(_string(values, "summary"))
    title = summary or first_sentence(text) or key
    fixed_in = note_releases[0] if kind in (Kind.BUG_FIX, Kind.CVE) and fix_versions \
        and not release else ""
    return Note(key=f"jira:{key}", origin=key, title=title, component=name,
                releases=note_releases, kind=kind, bz=(), body=body, id_hint=title,
                jira=(key,), fixed_in=fixed_in)


def _body(lines: list[str]) -> tuple[Block, ...]:
    """Prose through the shared parser; each block a snippet, under the step it follows."""
    blocks: list[Block] = []
    for part in split_parts(lines):
        if isinstance(part, Prose):
            parsed = list(parse_body(part.lines, 0, line_paragraphs=False))
            if parsed and isinstance(parsed[0], Steps) and blocks \
                    and isinstance(blocks[-1], Steps) and continues_numbering(part):
                blocks[-1] = Steps((*blocks[-1].items, *parsed[0].items))
                parsed = parsed[1:]
            blocks.extend(parsed)
            continue
        code: Code = part
        first = next((line for line in code.lines if line.strip()), "")
        snippet = extract(list(code.lines), code.line,
                          output=code.noformat and bool(_OUTPUT_LINE.match(first.strip())))
        if snippet is None:
            continue
        use = SnippetUse(snippet)
        last = blocks[-1] if blocks else None
        if isinstance(last, Steps):
            step = last.items[-1]
            blocks[-1] = Steps((*last.items[:-1], Step(step.text, (*step.blocks, use))))
        else:
            blocks.append(use)
    return unique_snippets(blocks)


def _option(values: Mapping[str, Any], field_id: str) -> str:
    """A select field's value: ``{"value": "..."}``, a string, or null."""
    value = values.get(field_id)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return str(value["value"])
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return str(value["name"])
    raise _Fault(field_id, f"{json_type(value)}, not an option (an object with a 'value')")


def _string(values: Mapping[str, Any], field_id: str) -> str:
    value = values.get(field_id)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Fault(field_id, f"{json_type(value)}, not a string")
    return value


def _names(values: Mapping[str, Any], field_id: str) -> tuple[str, ...]:
    """Names of a list of versions or components (``[{"name": ...}]``)."""
    value = values.get(field_id)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(item, dict) and isinstance(item.get("name"), str) for item in value):
        raise _Fault(field_id, f"{json_type(value)}, not a list of objects with a 'name'")
    return tuple(_one_line(item["name"]) for item in value if item["name"].strip())


def _component(key: str, values: Mapping[str, Any], given: str | None) -> str:
    name = given or next(iter(_names(values, "components")), "")
    if not name:
        raise _Fault("components", "the ticket has no component; give one with --component")
    try:
        return check_component(name.strip(), key)
    except BadInput as error:
        raise _Fault("components", str(error).removeprefix(f"{key}: ")) from None


def _one_line(text: str) -> str:
    # Commas separate releases in the page's field; a name never needs one.
    return re.sub(r"\s+", " ", text).replace(",", " ").strip()
