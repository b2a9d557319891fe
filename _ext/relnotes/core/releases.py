"""A release's notes: its issues in sections by release note type, and the releases in order.

Sphinx-free: the per-release pages, the release index and the AsciiDoc export all read this,
so a release holds the same issues, in the same sections and order, wherever it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from relnotes.core.model import Issue, Kind

_SLUG_PART = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class ReleaseNotes:
    """What is new, fixed, deprecated and known in one release."""

    release: str
    slug: str  # its page name and export file name, unique among the site's releases
    sections: tuple[tuple[Kind, tuple[Issue, ...]], ...]  # in Kind order; none empty
    #: Issues fixed in this release that it does not list under a type of its own (a known
    #: issue of an earlier release, fixed here).
    fixed: tuple[Issue, ...] = ()

    def count(self, kind: Kind) -> int:
        return next((len(issues) for k, issues in self.sections if k is kind), 0)


#: What a release's index row counts: the types grouped as a reader asks about a release.
GROUPS: tuple[tuple[str, tuple[Kind, ...]], ...] = (
    ("new", (Kind.FEATURE, Kind.ENHANCEMENT, Kind.REBASE, Kind.TECHNOLOGY_PREVIEW,
             Kind.DEVELOPER_PREVIEW)),
    ("fixed", (Kind.BUG_FIX, Kind.CVE)),
    ("deprecated", (Kind.DEPRECATED_FUNCTIONALITY, Kind.REMOVED_FUNCTIONALITY)),
    ("known", (Kind.KNOWN_ISSUE,)),
)


def group_counts(notes: ReleaseNotes) -> dict[str, int]:
    """How many issues of each group the release has; "fixed" counts the later fixes too."""
    counts = {name: sum(notes.count(kind) for kind in kinds) for name, kinds in GROUPS}
    counts["fixed"] += len(notes.fixed)
    return counts


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """"RHEL 5.10" after "RHEL 5.9": numbers compared as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold())
                 for part in _NUMBER.split(name) if part)


def release_order(names: Iterable[str], declared: Sequence[str] = ()) -> list[str]:
    """The releases in order: those ``relnotes.toml`` declares in its order, then the others
    by version ("5.9" before "5.10")."""
    position = {name: index for index, name in enumerate(declared)}
    return sorted(set(names), key=lambda name: (position.get(name, len(position)),
                                                natural_key(name)))


def release_slugs(names: Sequence[str]) -> dict[str, str]:
    """A page name per release ("RHEL 5.6" -> "rhel-5-6"), unique ("-2" on a collision)."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = _SLUG_PART.sub("-", name.casefold()).strip("-") or "release"
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        slugs[name] = slug
    return slugs


def release_notes(issues: Iterable[Issue], declared: Sequence[str] = ()) -> list[ReleaseNotes]:
    """Every release an issue names (affected or fixed in), with its notes; in release order."""
    issues = sorted(issues, key=lambda issue: issue.id)
    by_release: dict[str, dict[Kind, list[Issue]]] = {}
    fixed: dict[str, list[Issue]] = {}
    for issue in issues:
        for release in dict.fromkeys(issue.releases):
            by_release.setdefault(release, {}).setdefault(issue.kind, []).append(issue)
        if issue.fixed_in:
            by_release.setdefault(issue.fixed_in, {})
            if issue.fixed_in not in issue.releases:
                fixed.setdefault(issue.fixed_in, []).append(issue)
    order = release_order(by_release, declared)
    slugs = release_slugs(order)
    return [
        ReleaseNotes(
            release=name, slug=slugs[name],
            sections=tuple((kind, tuple(by_release[name][kind]))
                           for kind in Kind if kind in by_release[name]),
            fixed=tuple(fixed.get(name, ())),
        )
        for name in order
    ]
