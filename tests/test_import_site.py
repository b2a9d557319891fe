"""Imported notes built into a site: untrusted text shown as text, stubs shown and refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.environment import Environment
from relnotes.core.plan import plan_checks
from relnotes.core.spec import load_specs
from relnotes.importing.cli import main

from tests.ledgers import format_3_lines
from tests.sphinx_build import page, warnings_of

ROOT = Path(__file__).parent / "roots" / "test-import-untrusted"
DATA = Path(__file__).parent / "data" / "bugzilla"
INJECTED = "Inject </script><script>alert(1)</script>"


def imported_site(tmp_path: Path, fixture: str) -> Path:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site)
    assert main(["bugzilla", str(DATA / fixture), "--into", str(site)]) == 0
    return site


def build(make_app: Callable[..., Any], site: Path, **overrides: Any) -> Any:
    app = make_app("html", srcdir=site, freshenv=True, confoverrides=overrides)
    app.build()
    return app


def scripts(app: Any, name: str) -> list[str]:
    return [tag.get_text() for tag in page(app, name).find_all("script") if tag.get_text()]


def test_imported_markup_and_html_render_as_text_and_never_run(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    app = build(make_app, imported_site(tmp_path, "untrusted.json"))
    assert warnings_of(app) == []  # nothing in the text was taken for markup
    issue = page(app, "source/issues/libvirt-inject-script-script-alert-1.html")
    assert issue.h1 is not None and issue.h1.get_text().rstrip("¶") == INJECTED
    body = issue.get_text()
    for shown in ("<img src=x onerror=alert(2)>", "<script>alert(3)</script>",
                  "```{raw} html <script>alert(4)</script> ```", "{eval-rst}`x`",
                  "[click](javascript:alert(5))", "{{ substitution }}",
                  ":::{danger} fenced :::", "# not a heading", "% not a comment", "(target)="):
        assert shown in body, shown
    other = page(app, "source/issues/libvirt-py-func-os-system-link.html")
    assert other.h1 is not None and other.h1.get_text().rstrip("¶") == \
        "{py:func}`os.system` and [link](javascript:alert(6)) &amp; <b>bold</b>"
    assert "Plain `code` and *emphasis* and $math$ and ~~strike~~ | table |" in other.get_text()
    assert not other.select("a[href^='javascript']") and not issue.select("a[href^='javascript']")
    assert not issue.select("img, div.danger, div.admonition")
    # Listed by title on the component page and in the indices: as text there too.
    listing = page(app, "source/components/libvirt.html")
    assert INJECTED in [a.get_text() for a in listing.select("table.rn-issue-list a")]
    assert INJECTED in page(app, "rn-kind.html").get_text()
    for name in ("source/issues/libvirt-inject-script-script-alert-1.html",
                 "source/components/libvirt.html", "rn-kind.html", "rn-bz.html", "index.html"):
        assert not [s for s in scripts(app, name) if "alert(" in s], name


def test_a_hand_written_title_with_raw_html_is_text_wherever_the_page_is_listed(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    app = build(make_app, imported_site(tmp_path, "untrusted.json"))
    title = "Hand <script>alert(7)</script> written"
    own = page(app, "source/issues/libvirt-hand-written.html")
    assert own.h1 is not None and own.h1.get_text().rstrip("¶") == title
    listing = page(app, "source/components/libvirt.html")
    assert title in [a.get_text() for a in listing.select("table.rn-issue-list a")]
    for name in ("source/issues/libvirt-hand-written.html", "source/components/libvirt.html",
                 "source/issues/libvirt-inject-script-script-alert-1.html", "rn-kind.html"):
        assert not [s for s in scripts(app, name) if "alert(" in s], name


def test_imported_snippets_show_not_verified_and_the_publish_gate_refuses_them(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    site = imported_site(tmp_path, "libvirt-bugs.json")
    app = build(make_app, site, relnotes_require_verified=True)
    issue = page(app, "source/issues/libvirt-virsh-migrate-fails-guest-vtpm.html")
    badges = [span.get_text() for span in issue.select("span.rn-badge")]
    assert badges == ["Not verified: no check written yet"]
    refused = [w for w in warnings_of(app) if "is not publishable" in w]
    assert len(refused) == 1
    assert "libvirt-virsh-migrate-fails-guest-vtpm.md:16" in refused[0]
    assert "'libvirt/libvirt-virsh-migrate-fails-guest-vtpm/virsh-detach-device.virsh' is not " \
           "publishable: Not verified: no check written yet" in refused[0]


def test_the_verifier_plans_no_check_for_a_stub_and_records_nothing(tmp_path: Path) -> None:
    site = imported_site(tmp_path, "libvirt-bugs.json")
    specs = load_specs(site / "snippets")
    assert [spec.pending for spec in specs.values()] == ["no check written yet"]
    assert plan_checks(site / "snippets", specs) == []


def test_every_doc_type_has_its_own_kind_index_entry(make_app: Callable[..., Any],
                                                     tmp_path: Path) -> None:
    app = build(make_app, imported_site(tmp_path, "libvirt-bugs.json"))
    index = page(app, "rn-kind.html")
    headings = {tag.get_text(strip=True) for tag in index.select("table.indextable td strong")
                } | {tag.get_text(strip=True) for tag in index.select("table.indextable tr.cap td")}
    for kind in ("Bug Fix", "Enhancement", "Known Issue", "Technology Preview",
                 "Deprecated Functionality"):
        assert kind in headings, headings
    issue = page(app, "source/issues/libvirt-xen-driver-deprecated.html")
    assert "Deprecated Functionality" in [a.get_text() for a in issue.select(
        "dl.rn-issue-metadata a, .rn-issue-metadata a")]


@pytest.mark.parametrize(("extra", "message"), [
    ('', 'pending: say why no check is written'),
    ('[[steps]]\nsnippet = "virsh-detach-device.virsh"\n',
     "steps: a pending spec has no check; remove pending when writing one"),
    ('not_verifiable = "needs a TPM"\n',
     "not_verifiable: a pending spec has no check; remove pending when writing one"),
])
def test_a_stub_with_a_check_started_in_it_is_an_error(tmp_path: Path, extra: str,
                                                         message: str) -> None:
    site = imported_site(tmp_path, "libvirt-bugs.json")
    snippets = site / "snippets"
    spec = next(snippets.rglob("*.check.toml"))
    text = spec.read_text()
    spec.write_text(text.replace('pending = "no check written yet"', 'pending = " "') if not extra
                    else text + extra)
    with pytest.raises(ValueError, match=message):
        load_specs(snippets)


class _Daemon:
    """Enough of a daemon to start a run; any check run on it is an error."""

    uri = "qemu:///nowhere"
    domain_type = "kvm"
    environment = Environment("bookworm", "9.0.0", "7.2.0", "kvm", "img")


def test_a_verification_run_skips_stubs_records_nothing_and_counts_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    from relnotes.engine import runner

    def no_procedure(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a stub was run")

    monkeypatch.setattr(runner, "Procedure", no_procedure)
    site = imported_site(tmp_path, "libvirt-bugs.json")
    out = tmp_path / "verification"
    result = runner.run(site / "snippets", out, ["bookworm"],
                        lambda target: contextlib.nullcontext(_Daemon()), log=lambda _: None)
    assert result.ok and result.records == []
    assert result.summary() == ("0 passed, 0 failed, 0 expected-failure, 0 not-verifiable, 0 indistinct, "
                                "0 uncontrolled, 0 unchecked, 0 baseline-changed, "
                                "0 mutant-survived, 1 pending (no check written yet)")
    assert format_3_lines(out / "ledger.json")[1] == []


def test_a_passed_ledger_record_does_not_make_a_stub_verified(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    import hashlib
    from datetime import UTC, datetime

    from relnotes.core.environment import Environment
    from relnotes.core.ledger import Ledger, Record, Status, write_ledger

    site = imported_site(tmp_path, "libvirt-bugs.json")
    key = "libvirt/libvirt-virsh-migrate-fails-guest-vtpm/virsh-detach-device.virsh"
    digest = hashlib.sha256((site / "snippets" / key).read_bytes()).hexdigest()
    ledger = Ledger()
    for target in ("bookworm", "trixie"):
        ledger.add(Record(key, digest, "x", Status.PASSED, None, {},
                          Environment(target, "9.0.0", "7.2.0", "kvm", "img"),
                          datetime(2026, 11, 20, tzinfo=UTC), 1.0))
    write_ledger(ledger, site / "ledger.json")
    app = build(make_app, site, relnotes_require_verified=True)
    issue = page(app, "source/issues/libvirt-virsh-migrate-fails-guest-vtpm.html")
    assert [span.get_text() for span in issue.select("span.rn-badge")] == [
        "Not verified: no check written yet"]
    assert len([w for w in warnings_of(app) if "is not publishable: Not verified: no check "
                                                "written yet" in w]) == 1


def test_the_imported_seed_builds_without_a_warning_and_shows_its_snippets_exactly(
        make_app: Callable[..., Any], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site)
    (site / "source" / "issues" / "libvirt-hand-written.md").unlink()
    portal = Path(__file__).parent / "data" / "rhel5-technical-notes-kvm.portal.txt"
    assert main(["text", str(portal), "--component", "kvm", "--release", "RHEL 5",
                 "--into", str(site)]) == 0
    app = build(make_app, site)
    assert warnings_of(app) == []
    component = page(app, "source/components/kvm.html")
    assert len(component.select("table.rn-issue-list tbody tr")) == 15
    issue = page(app, "source/issues/kvm-using-pci-device-assignment-32.html")
    script = (site / "snippets/kvm/kvm-using-pci-device-assignment-32/qemu-kvm.family16")
    shown = [pre.get_text() for pre in issue.select("div.rn-snippet pre")]
    assert script.read_text() in shown
    assert "Not verified: no check written yet" in issue.get_text()
