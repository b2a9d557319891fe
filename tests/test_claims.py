"""Prose cannot outrun the ledger: no page or translation states a result in plain text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.core.claims import catalog_claims, plain_claims

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


BROKEN = Path(__file__).parent / "fixtures" / "broken-claims"


def test_every_phrasing_of_a_result_in_prose_is_found_at_its_line() -> None:
    found = plain_claims((BROKEN / "claimed.md").read_text(encoding="utf-8"))
    assert found == [
        (3, "Tested on libvirt 9.0"),
        (5, "verified on `libvirt 9.0"),
        (7, "The check confirms"),
        (9, "Works with libvirt 11.3"),
        (11, "checked by our test suite"),
        (13, "on both versions"),
        (15, "libvirt 9.0 で検証"),
    ]


@pytest.mark.parametrize("text", [
    "Snippets are verified against a real libvirt daemon.",
    "A snippet is *verified* only when the effect it is meant to have was observed.",
    "Each workaround snippet on each libvirt/QEMU version it is verified on.",
    "libvirt adds `kvmclock=on` to QEMU's `-cpu` option.",
    "The check looks for NX among the guest's vCPU flags.",
])
def test_describing_what_is_checked_is_not_a_result(text: str) -> None:
    assert plain_claims(text + "\n") == []


@pytest.mark.parametrize("catalog", sorted(SOURCE.glob("locale/*/LC_MESSAGES/**/*.po")),
                         ids=lambda p: p.name)
def test_no_shipped_translation_states_a_result(catalog: Path) -> None:
    assert catalog_claims(catalog) == []


def test_a_result_in_a_japanese_translation_is_found_at_its_line() -> None:
    catalog = BROKEN / "source/locale/ja/LC_MESSAGES/issues/claimed.po"
    assert catalog_claims(catalog) == [(13, "libvirt 9.0 で検証")]


def test_relnotes_check_reports_results_in_pages_and_catalogs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from relnotes.cli import main

    site = tmp_path / "site"
    shutil.copytree(BROKEN, site)
    (site / "claimed.md").rename(site / "source/index.md")
    (site / "relnotes.toml").write_text('targets = ["bookworm"]\n')
    assert main(["--site", str(site), "check"]) == 1
    out = capsys.readouterr().out
    claims = [line for line in out.splitlines() if line.endswith("[relnotes.claim]")]
    assert [line.split(": ")[0] for line in claims] == [
        "source/index.md:3", "source/index.md:5", "source/index.md:7", "source/index.md:9",
        "source/index.md:11", "source/index.md:13", "source/index.md:15",
        "source/locale/ja/LC_MESSAGES/issues/claimed.po:13"]
    assert "the translation states 'libvirt 9.0 で検証' in plain text" in claims[-1]
