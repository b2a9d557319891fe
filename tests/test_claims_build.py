"""The rn:verified role renders where a snippet was verified from the ledger; prose may not."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from relnotes.core.environment import Environment
from relnotes.core.ledger import Ledger, Record, Status, write_ledger
from relnotes.core.plan import plan_checks
from sphinx.application import Sphinx

from tests.sphinx_build import page, warning_at

BOOKWORM = Environment("bookworm", "9.0.0", "7.2.19", "kvm", "sha256:aaaa")
TRIXIE = Environment("trixie", "11.3.0", "10.0.2", "kvm", "sha256:bbbb")


def write_claim_ledger(srcdir: Path, trixie: Status) -> None:
    key = "comp/verified.xml"
    [check] = plan_checks(srcdir / "snippets")
    data = (srcdir / "snippets" / key).read_bytes()
    ledger = Ledger()
    for environment, status in ((BOOKWORM, Status.PASSED), (TRIXIE, trixie)):
        ledger.add(Record(
            snippet=key, sha256=hashlib.sha256(data).hexdigest(), inputs_sha256="x",
            result=status, reason=None if status is Status.PASSED else "why", layers={},
            environment=environment, verified_at=datetime(2026, 11, 20, tzinfo=UTC),
            duration=1.0, inputs=check.inputs(environment.target)))
    write_ledger(ledger, srcdir / "ledger.json")


def claim(app: Sphinx) -> str:
    node = page(app, "issue.html").select_one("span.rn-claim")
    assert node is not None
    return str(node.get_text())


@pytest.mark.sphinx("html", testroot="claims", srcdir="claims-verified", freshenv=True)
def test_the_role_says_verified_only_where_the_ledger_does(app: Sphinx) -> None:
    write_claim_ledger(Path(app.srcdir), Status.PASSED)
    app.build()
    # Versions as readers name them.
    assert claim(app) == "verified on libvirt 9.0 / QEMU 7.2 and libvirt 11.3 / QEMU 10.0"


@pytest.mark.sphinx("html", testroot="claims", srcdir="claims-mixed", freshenv=True)
def test_the_role_names_each_status_with_its_environment(app: Sphinx) -> None:
    write_claim_ledger(Path(app.srcdir), Status.INDISTINCT)
    app.build()
    assert claim(app) == ("verified on libvirt 9.0 / QEMU 7.2; run on libvirt 11.3 / QEMU 10.0 "
                          "without an effect distinguishable from an unchanged guest")


@pytest.mark.sphinx("html", testroot="claims", srcdir="claims-warnings", freshenv=True)
def test_prose_claims_and_claims_about_unshown_snippets_are_located_warnings(
        app: Sphinx) -> None:
    app.build()
    warning_at(app, "issue.md", 11, "the page states 'verified against libvirt 9.0' in plain "
               "text")
    warning_at(app, "issue.md", 13, "rn:verified names 'comp/elsewhere.xml', which this page "
               "does not show")
    # No ledger: the versions the target catalogue declares, never the codenames.
    assert claim(app) == "not verified on libvirt 9 / QEMU 7 and libvirt 11 / QEMU 10"


@pytest.mark.sphinx("html", testroot="claims-catalog", freshenv=True)
def test_a_result_stated_in_a_translation_is_a_located_warning(app: Sphinx) -> None:
    app.build()
    catalog = str(Path(app.srcdir) / "locale/ja/LC_MESSAGES/index.po")
    warning_at(app, catalog, 11, "the translation states 'QEMU 7.2 で動作確認' in plain text")
