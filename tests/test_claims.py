"""Prose cannot outrun the ledger: no page states in plain text where a snippet was verified."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.sphinxext.claims import plain_claims

SOURCE = Path(__file__).parent.parent / "source"


@pytest.mark.parametrize("page", sorted(SOURCE.glob("issues/*.md")), ids=lambda p: p.name)
def test_no_issue_page_states_a_verified_version_in_plain_text(page: Path) -> None:
    assert plain_claims(page.read_text(encoding="utf-8")) == []


def test_a_claim_in_prose_is_found_even_when_it_wraps() -> None:
    text = "Intro.\n\nAdded by this site and verified against libvirt 9.0 /\nQEMU 7.2.\n"
    assert plain_claims(text) == [(3, "verified against libvirt 9.0")]
    wrapped = "It was verified\nagainst QEMU 10.0 here.\n"
    assert plain_claims(wrapped) == [(1, "verified against QEMU 10.0")]


def test_a_claim_inside_a_code_fence_is_not_prose() -> None:
    assert plain_claims("```text\nverified on libvirt 9.0\n```\n") == []


def test_a_claim_without_a_version_is_not_one() -> None:
    assert plain_claims("Snippets are verified against a real libvirt daemon.\n") == []
