"""The Sphinx-free core records: release-note issues and snippet verification statuses."""

from __future__ import annotations

import enum
import heapq
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

# Every rule is applied with fullmatch: "$" alone lets a trailing newline through.
ISSUE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: What ``relnotes new`` writes as the title when none is given; ``relnotes check`` reports a
#: title that starts so until the writer replaces it.
PLACEHOLDER_TITLE_PREFIX = "TITLE:"
PLACEHOLDER_TITLE = f"{PLACEHOLDER_TITLE_PREFIX} the symptom, as a reader would search for it"
BZ_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
JIRA_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,29}-[1-9][0-9]{0,8}")
#: A release as readers name it ("RHEL 5.6", "9", "1.0-rc1"): one line of printable text
#: without a comma (it separates releases); escaped wherever it is shown.
RELEASE = re.compile(r"[^\s,](?:[^,]{0,62}[^\s,])?")


#: An id or a component becomes a file name and a URL: far below any file system's limit.
MAX_ID_LENGTH = 100


class Kind(enum.Enum):
    """What an issue record is: the release note types of the vendor's tracker.

    The order of the members is the order of the sections of a release's notes (what is new
    first, what is still wrong last), on the site and in the exports.
    """

    FEATURE = "feature"
    ENHANCEMENT = "enhancement"
    REBASE = "rebase"
    BUG_FIX = "bug-fix"
    CVE = "cve"
    TECHNOLOGY_PREVIEW = "technology-preview"
    DEVELOPER_PREVIEW = "developer-preview"
    DEPRECATED_FUNCTIONALITY = "deprecated-functionality"
    REMOVED_FUNCTIONALITY = "removed-functionality"
    KNOWN_ISSUE = "known-issue"

    @property
    def title(self) -> str:
        """The type's name as the tracker spells it ("Known Issue", "CVE")."""
        return _TRACKER_NAMES[self]

    @property
    def order(self) -> int:
        """The position of this type's section in a release's notes."""
        return _ORDER[self]

    @classmethod
    def from_tracker(cls, name: str) -> Kind | None:
        """The kind a tracker's "Release Note Type" value names, or None if it is not one."""
        return _BY_TRACKER_NAME.get(name.strip().casefold())


_TRACKER_NAMES = {
    Kind.FEATURE: "Feature", Kind.ENHANCEMENT: "Enhancement", Kind.REBASE: "Rebase",
    Kind.BUG_FIX: "Bug Fix", Kind.CVE: "CVE", Kind.TECHNOLOGY_PREVIEW: "Technology Preview",
    Kind.DEVELOPER_PREVIEW: "Developer Preview",
    Kind.DEPRECATED_FUNCTIONALITY: "Deprecated Functionality",
    Kind.REMOVED_FUNCTIONALITY: "Removed Functionality", Kind.KNOWN_ISSUE: "Known Issue",
}
_ORDER = {kind: index for index, kind in enumerate(Kind)}
_BY_TRACKER_NAME = {name.casefold(): kind for kind, name in _TRACKER_NAMES.items()}

#: Kinds of earlier versions of this tool, still accepted in ``:kind:`` and read as these.
#: A limitation or an unsupported feature is what the tracker files as a known issue; the
#: old catch-all "release note" announced something new, an enhancement.
LEGACY_KINDS: Mapping[str, Kind] = {
    "limitation": Kind.KNOWN_ISSUE,
    "unsupported-feature": Kind.KNOWN_ISSUE,
    "release-note": Kind.ENHANCEMENT,
}


class RecordError(ValueError):
    """A field of an issue record is invalid; ``field`` names it for the error message."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name


@dataclass(frozen=True)
class Issue:
    """One known issue of a component, as declared by an ``rn:issue`` directive."""

    id: str
    title: str
    docname: str
    component: str
    releases: tuple[str, ...]
    kind: Kind
    bz: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    jira: tuple[str, ...] = ()
    #: The product release in which the issue was fixed, if it was.
    fixed_in: str = ""
    #: Since when and why the issue is retired (its page and redirects stay), if it is.
    retired: Retirement | None = None


@dataclass(frozen=True)
class Retirement:
    """``:retired: 2026-12-01: not reproduced on libvirt 12.9 and later``."""

    since: str  # an ISO date
    reason: str


def split_list(value: str | None) -> tuple[str, ...]:
    """Split a comma-separated option value, dropping empty items."""
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_issue_id(value: str) -> str:
    if len(value) > MAX_ID_LENGTH or not ISSUE_ID.fullmatch(value):
        raise RecordError("id", f"{value!r} is not a lowercase slug (letters, digits, '-')")
    return value


def parse_component(value: str) -> str:
    """A component name is a slug: it becomes a page name, an index group and HTML."""
    if len(value) > MAX_ID_LENGTH or not ISSUE_ID.fullmatch(value):
        raise RecordError("component", f"{value!r} is not a lowercase slug (letters, digits, '-')")
    return value


def parse_bz_numbers(value: str | None) -> tuple[int, ...]:
    numbers = []
    for item in split_list(value):
        bare = item.removeprefix("BZ#").removeprefix("bz#")
        if not BZ_NUMBER.fullmatch(bare):
            raise RecordError("bz", f"{item!r} is not a Bugzilla number")
        numbers.append(int(bare))
    return tuple(numbers)


def parse_jira_keys(value: str | None) -> tuple[str, ...]:
    keys = split_list(value)
    for key in keys:
        if not JIRA_KEY.fullmatch(key):
            raise RecordError("jira", f"{key!r} is not a Jira issue key such as RHEL-1234")
    return keys


_RETIRED = re.compile(r"(\d{4}-\d{2}-\d{2}):\s*(\S.*)")


def parse_retirement(value: str | None) -> Retirement | None:
    """``DATE: reason``; the date a real one, the reason not empty."""
    text = (value or "").strip()
    if not text:
        return None
    match = _RETIRED.fullmatch(text)
    if not match:
        raise RecordError("retired", f"{text!r} is not 'YYYY-MM-DD: why it is retired'")
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        raise RecordError("retired", f"{match.group(1)!r} is not a date") from None
    return Retirement(match.group(1), match.group(2).strip())


def parse_release(value: str, field_name: str = "releases") -> str:
    """One release, exactly as given (a command-line value is not stripped first)."""
    if not RELEASE.fullmatch(value) or not value.isprintable():
        raise RecordError(field_name, f"{value!r} is not a release name (one line of "
                                      "printable text, no comma, at most 64 characters)")
    return value


def parse_releases(value: str | None) -> tuple[str, ...]:
    """A page's comma-separated ``:releases:`` field."""
    return tuple(parse_release(release) for release in split_list(value))


def parse_kind(value: str | None) -> Kind:
    """A kind by its value, or by a value of earlier versions (:data:`LEGACY_KINDS`)."""
    if value is not None and value in LEGACY_KINDS:
        return LEGACY_KINDS[value]
    try:
        return Kind(value)
    except ValueError:
        allowed = ", ".join(kind.value for kind in Kind)
        raise RecordError("kind", f"{value!r} is not one of: {allowed}") from None


def parse_topics(value: str | None, vocabulary: Iterable[str]) -> tuple[str, ...]:
    known = set(vocabulary)
    topics = split_list(value)
    unknown = [topic for topic in topics if topic not in known]
    if unknown:
        raise RecordError(
            "topics", f"unknown topic(s) {', '.join(map(repr, unknown))}; "
            "add them to topics in relnotes.toml or use a known one"
        )
    return topics


class RelatedIssues:
    """Issue ids per topic, so related issues are found without comparing every pair."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self._by_topic: dict[str, set[str]] = {}
        for issue in issues:
            for topic in issue.topics:
                self._by_topic.setdefault(topic, set()).add(issue.id)

    def related(self, issue: Issue, limit: int) -> list[str]:
        """Ids of the issues sharing most topics with ``issue``, best first, ties by id.

        Bounded by ``limit`` so that a page's size does not grow with the site. Walks
        topic combinations from the largest down; set intersections keep each step cheap.
        """
        found: list[str] = []
        seen = {issue.id}
        topics = sorted(set(issue.topics))
        for size in range(len(topics), 0, -1):
            if len(found) >= limit:
                break
            tier: set[str] = set()
            for combination in itertools.combinations(topics, size):
                tier |= set.intersection(*(self._by_topic.get(t, set()) for t in combination))
            tier -= seen
            best = heapq.nsmallest(limit - len(found), tier)
            found.extend(best)
            seen.update(tier)
        return found


def issues_by_bz(issues: Iterable[Issue]) -> Mapping[int, Issue]:
    return {number: issue for issue in issues for number in issue.bz}
