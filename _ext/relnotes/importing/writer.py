"""Planning and writing an import: every file computed first, then all written, or none.

A small manifest (``source/.relnotes-import.json``) remembers which id each input got and
the digest of every file as imported. So a re-import of the same input changes nothing,
keeps the ids, and never overwrites a file a person edited since: its digest no longer
matches the manifest's.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relnotes.core.atomic import place, stage
from relnotes.core.issue_fields import FieldProblem, read_issue_fields
from relnotes.core.located_toml import LocatedError
from relnotes.core.model import ISSUE_ID
from relnotes.core.pages import read_page
from relnotes.core.settings import Settings, load_settings
from relnotes.core.spec import SPEC_SUFFIX
from relnotes.importing.document import BadInput, Imported, Note
from relnotes.importing.pages import check_stub, component_page, issue_page

MANIFEST = Path("source") / ".relnotes-import.json"
MANIFEST_FORMAT = 1
_STOPWORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "been",
    "may", "might", "can", "could", "with", "by", "from", "as", "at", "when", "while", "it",
    "its", "this", "that", "these", "those", "there", "if", "into", "not", "no", "does", "do",
    "has", "have",
})
_ID_WORDS = 5
_ID_LENGTH = 60


class Action(enum.Enum):
    CREATE = "created"
    UPDATE = "updated"
    UNCHANGED = "unchanged"
    CHANGED = "changed by the input; --update rewrites it"  # untouched since the import
    KEPT = "edited since it was imported (or not imported); kept as it is"


@dataclass(frozen=True)
class PlannedFile:
    path: str  # relative to the site folder, posix
    data: bytes
    action: Action
    current: bytes | None = None

    def diff(self) -> str:
        before = (self.current or b"").decode("utf-8", "replace").splitlines(keepends=True)
        after = self.data.decode("utf-8").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"{self.path} (on disk)",
                                            f"{self.path} (imported)"))


@dataclass
class Plan:
    site: Path
    files: list[PlannedFile] = field(default_factory=list)
    mapping: list[tuple[Note, str]] = field(default_factory=list)  # note -> issue id
    manifest: dict[str, Any] = field(default_factory=dict)
    # Files an earlier import of these notes wrote that this input no longer produces: left
    # in place (a person may use them), listed so that they can be removed by hand.
    dropped: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes not imported, and why

    def writes(self) -> list[PlannedFile]:
        return [f for f in self.files if f.action in (Action.CREATE, Action.UPDATE)]

    def by_action(self, action: Action) -> list[PlannedFile]:
        return [f for f in self.files if f.action is action]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_site(site: Path) -> None:
    if not site.is_dir():
        raise BadInput(str(site), "--into: no such folder")
    if not (site / "conf.py").is_file():
        raise BadInput(str(site), "--into: not a site folder (no conf.py)")


def site_settings(site: Path) -> Settings:
    try:
        return load_settings(site)
    except LocatedError as error:
        raise BadInput(str(error.file), error.message, error.line) from None


def check_as_the_site(note: Note, page: str, settings: Settings) -> None:
    """The site's own rules, applied before anything is written: an issue page the build or
    ``relnotes check`` would refuse (a BZ number out of range, a bad release, a snippet over
    the size limit) is refused here, naming the note."""
    for directive in read_page(page).directives:
        if directive.name == "rn:issue":
            try:
                read_issue_fields(directive.argument, directive.options, settings.topics)
            except FieldProblem as problem:
                raise BadInput(note.origin, problem.message) from None
    limit = settings.snippet_size_limit
    for snippet in note.snippets():
        size = len(snippet.text.encode())
        if size > limit:
            raise BadInput(note.origin, f"snippet {snippet.name} is {size} bytes, over the "
                                        f"site's snippet_size_limit of {limit} bytes")


def load_manifest(site: Path) -> dict[str, Any]:
    path = site / MANIFEST
    if not path.is_file():
        return {"format": MANIFEST_FORMAT, "sources": {}, "files": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise BadInput(str(path), f"unreadable import manifest: {error}") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT \
            or not isinstance(data.get("sources"), dict) or not isinstance(data.get("files"), dict):
        raise BadInput(str(path), f"not an import manifest of format {MANIFEST_FORMAT}")
    return data


def plan(imported: Imported, site: Path, *, update: bool) -> Plan:
    manifest = load_manifest(site)
    sources: dict[str, str] = dict(manifest["sources"])
    digests: dict[str, str] = dict(manifest["files"])
    result = Plan(site)
    settings = site_settings(site)
    snippets = settings.snippets_dir.relative_to(site.resolve()).as_posix()
    elsewhere = bz_pages(site, set(sources.values()))
    notes = []
    for note in imported.notes:
        taken = [n for n in note.bz if n in elsewhere]
        if taken:
            # One page per bug: a person's page already describes it.
            result.skipped.append(f"{note.origin}: BZ#{taken[0]} is already on "
                                  f"{elsewhere[taken[0]]}, not written by an import")
        else:
            notes.append(note)
    ids = assign_ids(notes, sources, site)
    wanted: dict[str, bytes] = {}
    for note in notes:
        issue_id = ids[note.key]
        result.mapping.append((note, issue_id))
        sources[note.key] = issue_id
        page = issue_page(note, issue_id)
        check_as_the_site(note, page, settings)
        wanted[f"source/issues/{issue_id}.md"] = page.encode()
        for snippet in note.snippets():
            base = f"{snippets}/{note.component}/{issue_id}/{snippet.name}"
            wanted[base] = snippet.text.encode()
            wanted[base + SPEC_SUFFIX] = check_stub(snippet, note.origin).encode()
    for component, intro in imported.component_intro.items():
        wanted[f"source/components/{component}.md"] = component_page(component, intro).encode()
    # A component page without an introduction in this input is only ever created: the one
    # there may hold an introduction an earlier import (or a person) wrote.
    components = {note.component for note in imported.notes} - set(imported.component_intro)
    for component in sorted(components):
        path = f"source/components/{component}.md"
        if not (site / path).exists():
            wanted[path] = component_page(component, ()).encode()
    for path, data in wanted.items():
        planned = _planned(site, path, data, digests.get(path), update)
        result.files.append(planned)
        if planned.action in (Action.CREATE, Action.UPDATE, Action.UNCHANGED):
            digests[path] = sha256(data)
    # A set of folders, not startswith over all of them: linear in the number of files.
    folders = {f"{snippets}/{note.component}/{issue_id}" for note, issue_id in result.mapping}
    result.dropped = sorted(path for path in digests
                            if path not in wanted and path.rpartition("/")[0] in folders
                            and (site / path).exists())
    result.manifest = {"format": MANIFEST_FORMAT, "sources": dict(sorted(sources.items())),
                       "files": dict(sorted(digests.items()))}
    return result


def _planned(site: Path, path: str, data: bytes, imported_digest: str | None,
             update: bool) -> PlannedFile:
    target = site / path
    if not target.exists():
        return PlannedFile(path, data, Action.CREATE)
    try:
        current = target.read_bytes()
    except OSError as error:
        raise BadInput(str(target), f"cannot be read: {error.strerror}") from None
    if current == data:
        return PlannedFile(path, data, Action.UNCHANGED, current)
    if imported_digest is not None and sha256(current) == imported_digest:
        return PlannedFile(path, data, Action.UPDATE if update else Action.CHANGED, current)
    return PlannedFile(path, data, Action.KEPT, current)


_BZ_FIELD = re.compile(r"^:bz:(.*)$", re.M)


def bz_pages(site: Path, imported_ids: set[str]) -> dict[int, str]:
    """BZ number -> the page carrying it, for the pages no import wrote."""
    found: dict[int, str] = {}
    for page in sorted((site / "source" / "issues").glob("*.md")):
        if page.stem in imported_ids:
            continue
        try:
            text = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # Sphinx reports an unreadable page where it is built
        for field_value in _BZ_FIELD.findall(text):
            for number in re.findall(r"\d+", field_value):
                found.setdefault(int(number), page.relative_to(site).as_posix())
    return found


def assign_ids(notes: Iterable[Note], sources: Mapping[str, str], site: Path) -> dict[str, str]:
    """Ids stable across re-imports (the manifest's, else from the title) and unique."""
    ours = set(sources.values())
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for note in notes:
        known = sources.get(note.key)
        if known is not None and ISSUE_ID.fullmatch(known) and known not in taken:
            ids[note.key] = known
            taken.add(known)
            continue
        stem = slug(note.component, note.id_hint)
        candidate, number = stem, 2
        while candidate in taken or (candidate not in ours
                                     and (site / "source" / "issues" / f"{candidate}.md").exists()):
            candidate = f"{stem}-{number}"
            number += 1
        ids[note.key] = candidate
        taken.add(candidate)
    return ids


def slug(component: str, words: str) -> str:
    prefix = re.sub(r"[^a-z0-9]+", "-", component.lower()).strip("-") or "issue"
    chosen = [w for w in re.findall(r"[a-z0-9]+", words.lower()) if w not in _STOPWORDS]
    chosen = [w for w in chosen if w != prefix][:_ID_WORDS] or ["note"]
    text = "-".join([prefix, *chosen])
    return text[:_ID_LENGTH].rstrip("-")


def write(plan: Plan) -> None:
    """Write every planned file atomically, then the manifest; on a failure, none of them."""
    files = [(plan.site / f.path, f.data) for f in plan.writes()]
    manifest = json.dumps(plan.manifest, indent=1, sort_keys=True).encode() + b"\n"
    files.append((plan.site / MANIFEST, manifest))
    created: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            created += _make_parents(target.parent)
            staged.append((_stage(target, data), target))
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for directory in reversed(created):
            _remove_empty(directory)
        raise BadInput(str(plan.site), f"nothing written: {error}") from None
    # Only renames remain: each is atomic, and none can fail for lack of space.
    for temporary, target in staged:
        place(temporary, target)


def _make_parents(directory: Path) -> list[Path]:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _remove_empty(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: something else put a file there
        directory.rmdir()


def _stage(target: Path, data: bytes) -> Path:
    # Every file staged before any is renamed: a failure in the middle writes none of them.
    return stage(target, data)
