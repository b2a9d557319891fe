"""axe-core (bundled by axe-playwright-python) finds no critical or serious violation on any page type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import PAGE_TYPES

pytestmark = pytest.mark.browser

BLOCKING = {"critical", "serious"}


def blocking_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe  # only the browser env installs it

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_no_critical_or_serious_violation(page: Any, kind: str) -> None:
    page.goto(PAGE_TYPES[kind], wait_until="networkidle")
    assert blocking_violations(page) == []


def test_a_heading_role_without_a_level_is_reported(page: Any) -> None:
    # What every page type had before captions got their level: the check can go red.
    page.goto("index.html", wait_until="networkidle")
    page.evaluate("document.querySelectorAll('[aria-level]').forEach(e => e.removeAttribute('aria-level'))")
    assert any(v.startswith("aria-required-attr (critical)") for v in blocking_violations(page))


def test_badges_carry_words_not_only_colour(page: Any) -> None:
    page.goto("overview.html")
    summaries = page.locator(".rn-summary").all_inner_texts()
    assert summaries
    assert all(any(word in text for word in ("verified", "failure", "fails", "verifiable"))
               for text in summaries)
    page.goto("snippets.html")
    cells = page.locator(".rn-compat-cell").all_inner_texts()
    assert cells and all(any(word in text for word in ("verified", "failure", "fails", "verifiable"))
                         for text in cells)
    # The badges are in the evidence, on the evidence page.
    page.goto("issues/kvm-win2008-msi-amd-family16/evidence.html")
    badges = page.locator(".rn-badge").evaluate_all("spans => spans.map(s => s.textContent)")
    assert badges and all(text.split()[0] in {"Verified", "Fails", "Not", "Stale"} for text in badges)
