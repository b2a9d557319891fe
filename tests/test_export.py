"""relnotes export: AsciiDoc per release and each ticket's Release Note Text, from the site."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from relnotes.cli import main
from relnotes.core.ledger import Ledger, Status, write_ledger
from relnotes.importing.document import Paragraph, Steps
from relnotes.importing.inputs import read_bytes
from relnotes.importing.section_text import parse_section
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.export import (
    CODE_CLOSE,
    CODE_OPEN,
    asciidoc_text,
    jira_text,
    verified_on,
)
from sphinx.application import Sphinx

from tests.test_compatibility import record

DATA = Path(__file__).parent / "data"
SEED = DATA / "rhel5-technical-notes-kvm.portal.txt"


def relnotes(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def new_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    assert relnotes("init", str(site))[0] == 0
    return site


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = new_site(tmp_path_factory.mktemp("seed"))
    assert relnotes("--site", str(site), "import", "text", str(SEED), "--component", "kvm",
                    "--release", "RHEL 5", "--into", str(site))[0] == 0
    return site


def listings(adoc: str) -> list[str]:
    """The content of every listing block, exactly."""
    found = re.findall(r"^(-{4,})\n(.*?)\n\1$", adoc, re.M | re.S)
    return [body + "\n" for _, body in found]


def test_the_seed_exported_to_asciidoc_keeps_every_snippet_and_sentence(seed_site: Path) -> None:
    status, _, err = relnotes("--site", str(seed_site), "export", "asciidoc", "--draft")
    assert status == 0, err
    adoc = (seed_site / "_build/asciidoc/rhel-5.adoc").read_text()
    published = parse_section(read_bytes(SEED), str(SEED), "kvm", "RHEL 5")
    # Every snippet of the published section, byte for byte, in a listing block of its own.
    expected = [snippet.text for note in published.notes for snippet in note.snippets()]
    assert len(expected) == 12
    shown = listings(adoc)
    assert sorted(set(shown)) == sorted(set(expected))
    assert "virsh define /tmp/new-guest.xml \nvirsh start new-guest\n" in shown  # trailing blank
    # Every sentence of the published text, as it was written (no typographic quotes).
    lines = adoc.splitlines()
    for note in published.notes:
        for block in note.body:
            if isinstance(block, Paragraph):
                assert block.text in lines, block.text
            if isinstance(block, Steps):
                for step in block.items:
                    assert f". {step.text}" in lines, step.text
    assert "64-bit versions of Windows 7 do not have support for the AC'97 Audio Codec." in adoc


def test_asciidoc_has_a_chapter_per_type_and_the_ticket_link_on_its_own_line(
        seed_site: Path) -> None:
    assert relnotes("--site", str(seed_site), "export", "asciidoc", "--draft")[0] == 0
    adoc = (seed_site / "_build/asciidoc/rhel-5.adoc").read_text()
    assert adoc.startswith("= Release notes for RHEL 5\n")
    assert re.findall(r"^== (.*)$", adoc, re.M) == ["Technology Previews", "Known issues"]
    note = adoc.split('[id="kvm-cd-rom-device-assigned-guest"]\n', 1)[1].split("\n[id=", 1)[0]
    assert note.startswith(".A CD-ROM device can be assigned to a guest")
    assert "\nlink:https://bugzilla.example.com/show_bug.cgi?id=847259[BZ#847259]\n" in note
    # A step's snippet continues its list item.
    assert ". Edit the guest OS definition with the command-line tool virsh:\n+\n" \
           "[source,bash]\n----\nvirsh edit GUEST\n----\n" in adoc


def test_asciidoc_in_another_language_has_its_headings_in_that_language(
        tmp_path: Path) -> None:
    site = new_site(tmp_path)
    assert relnotes("--site", str(site), "import", "text", str(SEED), "--component", "kvm",
                    "--release", "RHEL 5", "--into", str(site))[0] == 0
    toml = site / "relnotes.toml"
    toml.write_text(re.sub(r"(?m)^languages = .*$", "", toml.read_text())
                    + '\nlanguages = ["en", "ja"]\n')
    status, _, err = relnotes("--site", str(site), "export", "asciidoc", "--draft",
                              "--language", "ja")
    assert status == 0, err
    adoc = (site / "_build/asciidoc-ja/rhel-5.adoc").read_text()
    assert adoc.startswith("= RHEL 5 のリリースノート\n")
    assert re.findall(r"^== (.*)$", adoc, re.M) == ["テクノロジープレビュー", "既知の問題"]
    assert not (site / "_build/asciidoc").exists()  # the source language's export is apart
    status, _, err = relnotes("--site", str(site), "export", "asciidoc", "--draft",
                              "--language", "fr")
    assert status == 2 and "--language 'fr' is not one of relnotes.toml's languages (en, ja)" \
        in err


def test_an_export_the_gate_refuses_is_refused_and_writes_nothing(seed_site: Path) -> None:
    out = seed_site / "_build" / "refused"
    status, _, err = relnotes("--site", str(seed_site), "export", "asciidoc", "--out", str(out))
    assert status == 1 and "nothing was exported" in err
    assert not out.exists() and not out.with_name("refused.staging").exists()


def test_jira_tickets_are_exported_back_as_release_note_text(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    (site / "relnotes.toml").write_text((site / "relnotes.toml").read_text()
                                        + '\n[jira]\nurl = "https://jira.example/browse/{key}"\n')
    assert relnotes("--site", str(site), "import", "jira", str(DATA / "jira/search.json"),
                    "--into", str(site))[0] == 0
    status, _, err = relnotes("--site", str(site), "export", "jira-text", "--draft")
    assert status == 0, err
    text = (site / "_build/jira-text/RHEL-1005.txt").read_text()
    assert text.startswith("To try it, add a virtio-mem device to the guest:\n\n"
                           "# Edit the guest's definition:\n{code:bash}\nvirsh edit GUEST\n{code}\n")
    assert ("{code:xml}\n<memory model='virtio-mem'>\n  <target>\n\t<size unit='GiB'>4</size>  \n"
            "  </target>\n</memory>\n{code}\n") in text
    assert "{code:console}\nERROR: virtio-mem: no driver\n{code}" in text
    assert "Verified on" not in text  # nothing was verified: nothing is said
    # The imported text came back as it was written, its Jira markup characters escaped.
    assert (site / "_build/jira-text/RHEL-1010.txt").read_text() == (
        "A name such as <img src=x onerror=alert(1)> or ```\\{eval-rst\\}``` stays text. "
        "Emphasis is dropped.\n")
    assert relnotes("--site", str(site), "export", "asciidoc", "--draft")[0] == 0
    adoc = (site / "_build/asciidoc/rhel-9-4.adoc").read_text()
    assert re.findall(r"^== (.*)$", adoc, re.M) == [
        "Enhancements", "Rebases", "Bug fixes", "Security fixes (CVE)", "Technology Previews",
        "Deprecated functionality", "Known issues"]
    assert "\nlink:https://jira.example/browse/RHEL-1001[RHEL-1001]\n" in adoc


def test_markup_in_prose_stays_text_in_both_formats() -> None:
    assert asciidoc_text("set {name} here") == "set \\{name} here"
    assert jira_text("a *bold* {x} [y|z] for 32-bit BZ#1") == \
        "a \\*bold\\* \\{x\\} \\[y\\|z\\] for 32-bit BZ#1"
    assert jira_text("# not a list") == "\\# not a list"
    code = f"run {CODE_OPEN}virsh list{CODE_CLOSE} now"  # inline code as the page shows it
    assert asciidoc_text(code) == "run `virsh list` now"
    assert jira_text(code) == "run {{virsh list}} now"


def write_ledger_of(srcdir: Path, results: dict[tuple[str, str], Status]) -> None:
    ledger = Ledger()
    for (snippet, target), result in results.items():
        ledger.add(record(srcdir, snippet, target, result))
    write_ledger(ledger, srcdir / "ledger.json")


@pytest.mark.sphinx("html", testroot="compat", srcdir="export-verified", freshenv=True)
def test_verified_on_names_the_versions_where_every_snippet_passed(
        app: Sphinx, make_app: Any) -> None:
    srcdir = Path(app.srcdir)
    write_ledger_of(srcdir, {
        ("comp/model.xml", "bookworm"): Status.PASSED, ("comp/model.xml", "trixie"): Status.PASSED,
        ("comp/script.sh", "bookworm"): Status.PASSED, ("comp/script.sh", "trixie"): Status.PASSED,
        ("comp/script.sh", "bullseye"): Status.PASSED})
    app.build()
    issues = {issue.id: issue for issue in relnotes_domain(app.env).all_issues()}
    assert verified_on(issues["compat-nic"], app) == "Verified on libvirt 9.0 to 11.3."
    assert verified_on(issues["compat-bare"], app) is None  # never verified: nothing said
    # A failure on one target takes that version out; the stale and the unrecorded never count.
    write_ledger_of(srcdir, {
        ("comp/model.xml", "bookworm"): Status.PASSED, ("comp/model.xml", "trixie"): Status.PASSED,
        ("comp/script.sh", "bookworm"): Status.PASSED, ("comp/script.sh", "trixie"): Status.FAILED})
    again = make_app("html", srcdir=srcdir)
    again.build()
    issue = relnotes_domain(again.env).issue_for_doc("issue")
    assert issue is not None and verified_on(issue, again) == "Verified on libvirt 9.0."
