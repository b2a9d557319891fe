"""Which issues a list shows: by component, kind, release, topic and status.

The ``rn:issue-list`` directive's options, validated here (Sphinx-free) so that a bad value
is an error naming the option; an issue is shown when it matches every option given, and
one of the values of each (as ``needtable``'s filters).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from relnotes.core.model import (
    Issue,
    Kind,
    RecordError,
    parse_component,
    parse_kind,
    parse_topics,
    split_list,
)

#: An issue's lifecycle status: retired (it carries ``retired``), fixed (``fixed-in``) or open.
STATUSES = ("open", "fixed", "retired")
#: The options the list accepts, besides its optional component argument.
OPTIONS = ("kind", "release", "topic", "status")


def issue_status(issue: Issue) -> str:
    if issue.retired is not None:
        return "retired"
    return "fixed" if issue.fixed_in else "open"


@dataclass(frozen=True)
class IssueSelection:
    """The issues a list shows; an empty tuple does not filter."""

    components: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    releases: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def matches(self, issue: Issue) -> bool:
        return ((not self.components or issue.component in self.components)
                and (not self.kinds or issue.kind in self.kinds)
                and (not self.releases or any(r in self.releases for r in issue.releases)
                     or issue.fixed_in in self.releases)
                and (not self.topics or any(t in self.topics for t in issue.topics))
                and (not self.statuses or issue_status(issue) in self.statuses))

    def describe(self) -> str:
        """The selection in words, for the sentence shown when it selects nothing."""
        parts = [*self.components, *(kind.title for kind in self.kinds), *self.releases,
                 *self.topics, *self.statuses]
        return ", ".join(parts)


def read_selection(component: str | None, options: Mapping[str, str],
                   topics: Iterable[str]) -> IssueSelection:
    """Validate the list's argument and options; raise RecordError naming the option."""
    statuses = split_list(options.get("status"))
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown:
        raise RecordError("status", f"{unknown[0]!r} is not one of: {', '.join(STATUSES)}")
    return IssueSelection(
        components=(parse_component(component.strip()),) if component and component.strip()
        else (),
        kinds=tuple(dict.fromkeys(parse_kind(value) for value in split_list(options.get("kind")))),
        releases=split_list(options.get("release")),
        topics=parse_topics(options.get("topic"), topics),
        statuses=statuses,
    )
