"""The rules of an issue record, applied to the raw fields of an ``rn:issue`` directive.

Sphinx-free, so that the Sphinx directive and ``relnotes check`` (which reads pages without
building) apply the same rules and say the same thing. A problem carries the warning subtype
the build files it under (``relnotes.<subtype>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from relnotes.core.model import (
    PLACEHOLDER_TITLE_PREFIX,
    Kind,
    RecordError,
    Retirement,
    parse_bz_numbers,
    parse_component,
    parse_issue_id,
    parse_jira_keys,
    parse_kind,
    parse_release,
    parse_releases,
    parse_retirement,
    parse_topics,
    split_list,
)

#: Every field an issue directive accepts, in the order a page scaffold writes them.
FIELDS = ("bz", "jira", "component", "releases", "kind", "fixed-in", "retired", "topics",
          "see-also")
REQUIRED_FIELDS = ("component", "releases", "kind")

#: Sphinx's dangling-reference template for an unknown ``rn:issue`` target; check uses it too.
UNKNOWN_ISSUE_TEMPLATE = "unknown issue id %(target)r"


class FieldProblem(ValueError):
    """An issue record that cannot be accepted; ``subtype`` is the build's warning subtype."""

    def __init__(self, subtype: str, message: str) -> None:
        super().__init__(message)
        self.subtype = subtype
        self.message = message


@dataclass(frozen=True)
class IssueFields:
    """The validated fields of one issue directive (the page title is not known here)."""

    id: str
    component: str
    releases: tuple[str, ...]
    kind: Kind
    bz: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    jira: tuple[str, ...] = ()
    fixed_in: str = ""
    retired: Retirement | None = None


def read_issue_fields(argument: str, options: Mapping[str, str], topics: Iterable[str],
                      releases: Sequence[str] = ()) -> IssueFields:
    """Validate a directive's argument and options; raise FieldProblem naming the first fault.

    ``releases``: the site's declared releases (``relnotes.toml``); when there are any, an
    affected release or ``fixed-in`` must be one of them.

    Unknown option names are not checked here: MyST refuses them before a directive runs
    (the directive's option names are :data:`FIELDS`); see :func:`unknown_fields`.
    """
    try:
        issue_id = parse_issue_id(argument)
    except RecordError as error:
        raise FieldProblem("invalid_field", f"invalid field {error}") from None
    missing = [name for name in REQUIRED_FIELDS if not options.get(name, "").strip()]
    if missing:
        raise FieldProblem("missing_field",
                           f"issue {issue_id!r}: missing required field(s): {', '.join(missing)}")
    try:
        bz = parse_bz_numbers(options.get("bz"))
        kind = parse_kind(options["kind"].strip())
        component = parse_component(options["component"].strip())
        topic_list = parse_topics(options.get("topics"), topics)
        see_also = tuple(parse_issue_id(item) for item in split_list(options.get("see-also")))
        jira = parse_jira_keys(options.get("jira"))
        fixed_text = (options.get("fixed-in") or "").strip()
        fixed_in = parse_release(fixed_text, "fixed-in") if fixed_text else ""
        retired = parse_retirement(options.get("retired"))
        named = parse_releases(options["releases"])
        for name, value in [*(("releases", r) for r in named), ("fixed-in", fixed_in)]:
            if releases and value and value not in releases:
                raise RecordError(name, f"{value!r} is not one of the site's releases "
                                        f"({', '.join(releases)}; relnotes.toml releases)")
    except RecordError as error:
        raise FieldProblem("invalid_field", f"issue {issue_id!r}: invalid field {error}") from None
    return IssueFields(
        id=issue_id, component=component,
        releases=named, kind=kind, bz=bz, topics=topic_list,
        see_also=see_also, jira=jira, fixed_in=fixed_in, retired=retired,
    )


def unknown_fields(names: Iterable[str]) -> list[str]:
    return [name for name in names if name not in FIELDS]


def unknown_field_message(name: str) -> str:
    return f"unknown field {name!r} (allowed: {', '.join(FIELDS)})"


def duplicate_id_message(issue_id: str, other_file: str) -> str:
    return f"duplicate issue id {issue_id!r}, also declared in {other_file}"


def unknown_issue_message(target: str) -> str:
    return UNKNOWN_ISSUE_TEMPLATE % {"target": target}


def is_placeholder_title(title: str) -> bool:
    """Whether an issue page's title is still the one ``relnotes new`` writes without --title."""
    return title.startswith(PLACEHOLDER_TITLE_PREFIX)


#: The build and ``relnotes check`` report a placeholder title in the same words.
PLACEHOLDER_TITLE_MESSAGE = ("the title is still relnotes new's placeholder: write the symptom, "
                             "as a reader would search for it")


def shared_bz_message(number: int, others: list[str]) -> str:
    """A Bugzilla number on two issue pages, as reported at each of them, naming the others."""
    return (f"BZ#{number} is also on {', '.join(others)}: one issue page per Bugzilla number "
            "({rn:bz} links to one page only)")


def unreachable_message(issue_id: str) -> str:
    return f"issue {issue_id!r} is not included in any toctree; list it in its component page"
