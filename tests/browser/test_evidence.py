"""A snippet's evidence, one click away, at phone, tablet and desktop widths in both languages:
opening its disclosure shows it (relnotes.js fetches it from the issue's evidence page); without
the script the disclosure's link leads there; when the fetch fails, the link stays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.test_accessibility import blocking_violations
from tests.browser.test_reader import ISSUE, LANGUAGES, WIDTHS, screenshot, wider_than_the_screen

pytestmark = pytest.mark.browser

WORKING = "snippet-kvm-kvm-win2008-msi-amd-family16-modern-cpu-family-16-xml"
EVIDENCE = ISSUE.removesuffix(".html") + "/evidence.html"


@pytest.fixture
def sized(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context at the test's width, with or without JavaScript as the test names."""
    params = request.node.callspec.params
    context = browser.new_context(base_url=base_url,
                                  java_script_enabled=params.get("script", True),
                                  viewport={"width": params["width"], "height": 900})
    page = context.new_page()
    yield page
    context.close()


def disclosure(page: Any) -> Any:
    return page.locator(f'div.rn-snippet[id="{WORKING}"] details.rn-snippet-details')


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
def test_opening_a_snippets_disclosure_shows_its_evidence(
        sized: Any, width: int, language: str) -> None:
    page = sized
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{language}{ISSUE}", wait_until="networkidle")
    # Folded, and not loaded until opened: the page does not carry it.
    details = disclosure(page)
    assert not details.evaluate("d => d.open")
    assert not [url for url in requested if "evidence.html" in url]
    details.locator("summary").click()
    body = details.locator("div.rn-evidence-body")
    body.wait_for()
    runs = body.locator("ul.rn-snippet-runs li")
    assert runs.count() == 4
    assert "libvirt 9.0.0 / QEMU 7.2.19" in runs.nth(1).inner_text()
    assert body.locator("p.rn-snippet-summary").is_visible()
    # The link to the evidence's own page stays, after the evidence.
    link = details.locator("a.rn-evidence-link")
    assert link.is_visible()
    assert page.evaluate("([a, b]) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING",
                         [body.element_handle(), link.element_handle()])
    # With the evidence shown, axe finds nothing critical or serious.
    assert blocking_violations(page) == []
    # One fetch of the evidence page, whichever disclosures are opened (here, the first snippet
    # of the as-published variant, folded after the working one).
    page.locator("details.rn-as-published > summary").click()
    page.locator("details.rn-as-published details.rn-snippet-details > summary").first.click()
    page.locator("details.rn-as-published div.rn-evidence-body").first.wait_for()
    assert len([url for url in requested if "evidence.html" in url]) == 1
    # The answer is still the page's first part, and nothing scrolls sideways.
    assert page.locator("div.rn-answer").is_visible()
    assert not wider_than_the_screen(page)
    screenshot(page, f"evidence-open-{language.strip('/') or 'en'}-{width}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("script", [False])
def test_without_javascript_the_disclosures_link_leads_to_the_evidence(
        sized: Any, width: int, language: str, script: bool) -> None:
    page = sized
    page.goto(f"{language}{ISSUE}")
    details = disclosure(page)
    details.locator("summary").click()  # the browser's own disclosure
    assert details.evaluate("d => d.open")
    assert details.locator("div.rn-evidence-body").count() == 0
    details.locator("a.rn-evidence-link").click()
    page.wait_for_url(f"**/{language}{EVIDENCE}#{WORKING}")
    part = page.locator(f'section.rn-evidence[id="{WORKING}"]')
    assert part.locator("ul.rn-snippet-runs li").count() == 4
    assert part.locator("ul.rn-snippet-runs").is_visible()
    assert not wider_than_the_screen(page)
    # And back to the snippet on the issue page.
    part.locator("p.rn-evidence-snippet a").click()
    page.wait_for_url(f"**/{language}{ISSUE}#{WORKING}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_when_the_evidence_cannot_be_fetched_the_link_stays(page: Any, language: str) -> None:
    page.route("**/evidence.html", lambda route: route.abort())
    page.goto(f"{language}{ISSUE}")
    details = disclosure(page)
    details.locator("summary").click()
    link = details.locator("a.rn-evidence-link")
    assert link.is_visible()
    page.wait_for_function(
        "d => d.open && !d.dataset.evidence", arg=details.element_handle())
    assert details.locator("div.rn-evidence-body").count() == 0
    # Once the page is reachable again, the next opening shows it.
    page.unroute("**/evidence.html")
    details.locator("summary").click()  # closes
    details.locator("summary").click()  # opens again
    details.locator("div.rn-evidence-body").wait_for()
