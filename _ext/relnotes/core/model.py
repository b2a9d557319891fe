"""The Sphinx-free core records: release-note issues and snippet verification statuses."""

from __future__ import annotations

import enum
import heapq
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ISSUE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: What ``relnotes new`` writes as the title when none is given; ``relnotes check`` reports a
#: title that starts so until the writer replaces it.
PLACEHOLDER_TITLE_PREFIX = "TITLE:"
PLACEHOLDER_TITLE = f"{PLACEHOLDER_TITLE_PREFIX} the symptom, as a reader would search for it"
BZ_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")


class Kind(enum.Enum):
    """What an issue record is, as the vendor classifies it."""

    KNOWN_ISSUE = "known-issue"
    TECHNOLOGY_PREVIEW = "technology-preview"
    UNSUPPORTED_FEATURE = "unsupported-feature"
    LIMITATION = "limitation"
    # The rest of the doc types a vendor's Technical Notes are compiled from.
    BUG_FIX = "bug-fix"
    ENHANCEMENT = "enhancement"
    RELEASE_NOTE = "release-note"
    DEPRECATED_FUNCTIONALITY = "deprecated-functionality"

    @property
    def title(self) -> str:
        return self.value.replace("-", " ").capitalize()


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


def split_list(value: str | None) -> tuple[str, ...]:
    """Split a comma-separated option value, dropping empty items."""
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_issue_id(value: str) -> str:
    if not ISSUE_ID.match(value):
        raise RecordError("id", f"{value!r} is not a lowercase slug (letters, digits, '-')")
    return value


def parse_component(value: str) -> str:
    """A component name is a slug: it becomes a page name, an index group and HTML."""
    if not ISSUE_ID.match(value):
        raise RecordError("component", f"{value!r} is not a lowercase slug (letters, digits, '-')")
    return value


def parse_bz_numbers(value: str | None) -> tuple[int, ...]:
    numbers = []
    for item in split_list(value):
        bare = item.removeprefix("BZ#").removeprefix("bz#")
        if not BZ_NUMBER.match(bare):
            raise RecordError("bz", f"{item!r} is not a Bugzilla number")
        numbers.append(int(bare))
    return tuple(numbers)


def parse_kind(value: str | None) -> Kind:
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
