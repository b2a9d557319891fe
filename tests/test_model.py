"""The Sphinx-free core: record parsing and related-issue ranking."""

from __future__ import annotations

import itertools
import random

import pytest
from relnotes.core.model import (
    Issue,
    Kind,
    RecordError,
    RelatedIssues,
    parse_bz_numbers,
    parse_issue_id,
    parse_kind,
    parse_topics,
)


def issue(issue_id: str, *topics: str) -> Issue:
    return Issue(issue_id, issue_id.title(), f"issues/{issue_id}", "kvm", ("RHEL 5",),
                 Kind.KNOWN_ISSUE, topics=topics)


def test_bz_numbers_accept_plain_and_prefixed() -> None:
    assert parse_bz_numbers("847259, BZ#654208") == (847259, 654208)
    assert parse_bz_numbers(None) == ()


@pytest.mark.parametrize("bad", ["12ab", "0", "-5", "1234567890", "BZ#"])
def test_bz_numbers_reject_non_numbers(bad: str) -> None:
    with pytest.raises(RecordError, match=r"bz: .* is not a Bugzilla number"):
        parse_bz_numbers(bad)


def test_kind_and_topics_and_ids_are_checked() -> None:
    assert parse_kind("technology-preview") is Kind.TECHNOLOGY_PREVIEW
    with pytest.raises(RecordError, match="kind: 'bug' is not one of"):
        parse_kind("bug")
    assert parse_topics("boot, time", ["boot", "time"]) == ("boot", "time")
    with pytest.raises(RecordError, match="unknown topic"):
        parse_topics("boot, gpu", ["boot"])
    with pytest.raises(RecordError, match="not a lowercase slug"):
        parse_issue_id("Has Space")


def brute_force_related(target: Issue, issues: list[Issue], limit: int) -> list[str]:
    scored = sorted(
        ((-len(set(target.topics) & set(other.topics)), other.id) for other in issues
         if other.id != target.id and set(target.topics) & set(other.topics)),
    )
    return [issue_id for _, issue_id in scored[:limit]]


def test_related_ranks_by_shared_topics_then_id() -> None:
    issues = [issue("a", "net", "boot"), issue("b", "net"), issue("c", "net", "boot"),
              issue("d", "time"), issue("e", "boot", "net", "time")]
    index = RelatedIssues(issues)
    assert index.related(issues[0], 5) == ["c", "e", "b"]
    assert index.related(issues[0], 1) == ["c"]
    assert index.related(issues[3], 5) == ["e"]


def test_related_matches_brute_force_on_random_sites() -> None:
    rng = random.Random(7)
    topics = [f"t{i}" for i in range(8)]
    issues = [issue(f"i{n:03}", *rng.sample(topics, rng.randint(1, 4))) for n in range(150)]
    index = RelatedIssues(issues)
    for target, limit in itertools.product(issues[:40], (1, 5)):
        assert index.related(target, limit) == brute_force_related(target, issues, limit)
