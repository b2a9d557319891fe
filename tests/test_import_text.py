"""Importing a published Technical Notes section: pages, BZ numbers, snippets, re-imports, bad input."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from relnotes.core.spec import load_specs
from relnotes.importing.section_text import parse_section

from tests.importing import run, site, tree

DATA = Path(__file__).parent / "data"
# The section exactly as a reader copies it from the portal (banner and footer included).
PORTAL = DATA / "rhel5-technical-notes-kvm.portal.txt"
# The same section as the site's tests quote it (portal header and footer removed).
QUOTED = DATA / "rhel5-technical-notes-kvm.txt"


def test_the_quoted_copy_is_the_portal_text_between_banner_and_footer() -> None:
    portal = PORTAL.read_text().splitlines()
    quoted = QUOTED.read_text().splitlines()
    body = [line for line in quoted if not line.startswith("# ")]
    start = portal.index(body[0])
    assert portal[start:start + len(body)] == body


def test_the_seed_gives_15_pages_10_bz_numbers_and_the_intro_on_the_component_page(
        tmp_path: Path) -> None:
    status, out, err = run("text", str(PORTAL), "--component", "kvm", "--release", "RHEL 5",
                           "--into", str(site(tmp_path)))
    assert status == 0, err
    pages = sorted((tmp_path / "source" / "issues").glob("*.md"))
    assert len(pages) == 15
    cited = [int(n) for page in pages for field in re.findall(r"^:bz: (.*)$", page.read_text(), re.M)
             for n in field.split(", ")]
    assert sorted(cited) == [501543, 507191, 509361, 512837, 516029, 517880, 523478, 563122,
                             654208, 847259]
    component = (tmp_path / "source" / "components" / "kvm.md").read_text()
    assert "Kernel-based Virtual Machine (KVM) is a full virtualization solution" in component
    assert "{rn:issue-list} kvm" in component
    # The mapping names every bullet and its id; the portal footer is reported as ignored.
    assert len(re.findall(r"^bullet at line \d+ -> kvm-", out, re.M)) == 15
    assert "text after the last bullet ignored" in out


def test_every_extracted_snippet_has_a_pending_stub_that_the_spec_loader_accepts(
        tmp_path: Path) -> None:
    run("text", str(QUOTED), "--component", "kvm", "--into", str(site(tmp_path)))
    specs = load_specs(tmp_path / "snippets")
    assert len(specs) == 12
    assert {spec.pending for spec in specs.values()} == {"no check written yet"}


def test_importing_the_same_text_again_changes_no_file(tmp_path: Path) -> None:
    root = site(tmp_path)
    run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    before = tree(root)
    status, out, _ = run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    assert status == 0
    assert tree(root) == before
    assert "0 created, 0 updated" in out


def test_a_page_edited_since_the_import_is_never_overwritten_and_update_shows_the_difference(
        tmp_path: Path) -> None:
    root = site(tmp_path)
    run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    page = root / "source" / "issues" / "kvm-mute-button-audio-control-panel.md"
    edited = page.read_text().replace("does not mute the sound", "does not mute anything")
    page.write_text(edited)
    changed = tmp_path / "changed.txt"
    changed.write_text(PORTAL.read_text().replace("does not mute the sound.",
                                                  "does not mute the sound at all."))
    status, out, _ = run("text", str(changed), "--component", "kvm", "--into", str(root),
                         "--update")
    assert status == 0
    assert page.read_text() == edited
    assert "not written: source/issues/kvm-mute-button-audio-control-panel.md: edited" in out
    assert "-The mute button in the audio control panel on a Windows virtual machine does not " \
           "mute anything." in out
    assert "+The mute button in the audio control panel on a Windows virtual machine does not " \
           "mute the sound at all." in out


def test_a_changed_input_rewrites_untouched_pages_only_with_update(tmp_path: Path) -> None:
    root = site(tmp_path)
    run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    page = root / "source" / "issues" / "kvm-mute-button-audio-control-panel.md"
    changed = tmp_path / "changed.txt"
    changed.write_text(PORTAL.read_text().replace("does not mute the sound.",
                                                  "does not mute the sound at all."))
    status, out, _ = run("text", str(changed), "--component", "kvm", "--into", str(root))
    assert status == 0 and "at all" not in page.read_text()
    assert "changed by the input; --update rewrites it" in out
    status, out, _ = run("text", str(changed), "--component", "kvm", "--into", str(root),
                         "--update")
    assert status == 0 and "at all" in page.read_text()
    assert "1 updated" in out


def test_ids_are_stable_across_imports_into_different_sites(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _, out_a, _ = run("text", str(PORTAL), "--component", "kvm", "--into", str(site(first)))
    _, out_b, _ = run("text", str(PORTAL), "--component", "kvm", "--into", str(site(second)))
    mapping = [line for line in out_a.splitlines() if " -> " in line]
    assert mapping == [line for line in out_b.splitlines() if " -> " in line]
    assert len({line.split(" -> ")[1].split()[0] for line in mapping}) == 15


BAD_TEXT = [
    (b"", "is empty", None),
    (b"   \n\n", "is empty", None),
    (b"Some text\n  \xe2\x80\xa2 a bullet\n", "a bullet before any numbered heading", 2),
    (b"just prose\nand more prose\n", "no numbered section heading such as '2.21. kvm'", 1),
    (b"2.21. kvm\n\nAn introduction only.\n", "no bullet (\u2022) after the heading at line 1", 4),
    (b"2.21. kvm\n\nIntro\n  \xe2\x80\xa2 caf\xe9 (BZ#1)\n", "not UTF-8 text (byte 0xe9", 4),
]


@pytest.mark.parametrize(("data", "message", "line"), BAD_TEXT,
                         ids=["empty", "blank", "bullet-first", "no-heading", "no-bullets",
                              "latin-1"])
def test_bad_text_is_a_located_error_and_nothing_is_written(
        tmp_path: Path, data: bytes, message: str, line: int | None) -> None:
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    source = tmp_path / "section.txt"
    source.write_bytes(data)
    before = tree(root)
    status, out, err = run("text", str(source), "--component", "kvm", "--into", str(root))
    assert status == 1
    where = f"{source}:{line}:" if line else f"{source}:"
    assert where in err and message in err, err
    assert "nothing written" in err
    assert tree(root) == before and out == ""


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    status, _, err = run("text", str(huge), "--component", "kvm", "--into", str(root))
    assert status == 1
    assert f"{huge}: too large (50.0 MiB; the limit is 32 MiB)" in err
    assert not (root / "source").exists()


def test_a_folder_without_conf_py_is_not_a_site(tmp_path: Path) -> None:
    status, _, err = run("text", str(PORTAL), "--component", "kvm", "--into", str(tmp_path))
    assert status == 2  # as every command outside a site
    assert err.splitlines() == [f"relnotes import: {tmp_path}: --into: not a site folder (no conf.py)"]
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    root = site(tmp_path)
    # A file where the importer needs a folder: the snippets of kvm cannot be written.
    (root / "snippets").write_text("not a folder\n")
    before = tree(root)
    status, _, err = run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    assert status == 1
    assert "nothing written" in err
    assert tree(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["conf.py", "snippets"]


def test_parsing_keeps_steps_lead_ins_and_nested_lists() -> None:
    imported = parse_section(PORTAL.read_bytes(), "portal", "kvm", None)
    features = next(n for n in imported.notes if n.bz == (512837,))
    assert features.title == "The following QEMU / KVM features are currently disabled and " \
                             "not supported"
    listed = features.body[-1]
    assert getattr(listed, "items", ())[:2] == ("smb user directories", "scsi emulation")
    preview = next(n for n in imported.notes if n.bz == (517880,))
    assert preview.kind.value == "technology-preview"



def test_a_component_that_cannot_name_a_folder_is_refused(tmp_path: Path) -> None:
    root = site(tmp_path)
    status, _, err = run("text", str(PORTAL), "--component", "../kvm", "--into", str(root))
    assert status == 1
    assert "--component: component: '../kvm' is not a lowercase slug" in err
    assert tree(root) == {"conf.py": b"extensions = []\n"}


def test_a_bullet_keeps_its_id_when_its_first_sentence_is_reworded(tmp_path: Path) -> None:
    root = site(tmp_path)
    _, first, _ = run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    reworded = tmp_path / "reworded.txt"
    reworded.write_text(PORTAL.read_text().replace(
        "When migrating KVM guests between hosts", "When KVM guests migrate between hosts"))
    _, second, _ = run("text", str(reworded), "--component", "kvm", "--into", str(root))
    line = "bullet at line 77 -> kvm-migrating-guests-between-hosts-nx [BZ#516029]"
    assert line in first and line in second


def test_a_later_import_without_an_introduction_keeps_the_component_page(tmp_path: Path) -> None:
    root = site(tmp_path)
    run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    page = root / "source" / "components" / "kvm.md"
    before = page.read_bytes()
    bugs = tmp_path / "bugs.json"
    bugs.write_text('{"bugs": [{"id": 42, "summary": "New", "component": "kvm", '
                    '"cf_doc_type": "Bug Fix", "cf_release_notes": "Fixed."}]}')
    status, out, _ = run("bugzilla", str(bugs), "--into", str(root), "--update")
    assert status == 0 and "BZ#42 -> kvm-new [BZ#42]" in out
    assert page.read_bytes() == before


def test_a_snippet_the_input_no_longer_shows_is_listed_and_left_in_place(tmp_path: Path) -> None:
    root = site(tmp_path)
    run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    listing = root / "snippets/kvm/kvm-using-pci-device-assignment-32/restorecon.sh"
    assert listing.is_file()
    changed = tmp_path / "changed.txt"
    changed.write_text(PORTAL.read_text().replace(
        "~]$\u00a0restorecon /usr/libexec/qemu-kvm.family16", "~]$\u00a0true"))
    status, out, _ = run("text", str(changed), "--component", "kvm", "--into", str(root),
                         "--update")
    assert status == 0 and listing.is_file()
    assert ("no longer imported: snippets/kvm/kvm-using-pci-device-assignment-32/restorecon.sh "
            "(left in place; remove it by hand if unused)") in out
    assert (root / "snippets/kvm/kvm-using-pci-device-assignment-32/true.sh").read_text() == \
        "true\n"


def test_the_relnotes_command_imports_into_the_snippets_folder_its_settings_name(
        tmp_path: Path) -> None:
    from relnotes.cli import main as relnotes

    root = site(tmp_path)
    (root / "relnotes.toml").write_text('snippets_dir = "workarounds"\n')
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = relnotes(["--site", str(root), "import", "text", str(PORTAL),
                           "--component", "kvm"])
    assert status == 0, err.getvalue()
    assert (root / "workarounds/kvm/kvm-using-pci-device-assignment-32/qemu-kvm.family16").is_file()
    assert not (root / "snippets").exists()


def test_a_bug_a_person_already_wrote_a_page_for_is_skipped_and_listed(tmp_path: Path) -> None:
    root = site(tmp_path)
    issues = root / "source" / "issues"
    issues.mkdir(parents=True)
    curated = Path(__file__).parent.parent / "source" / "issues" / "kvm-cdrom-passthrough.md"
    (issues / curated.name).write_bytes(curated.read_bytes())
    status, out, _ = run("text", str(PORTAL), "--component", "kvm", "--into", str(root))
    assert status == 0
    assert ("skipped: bullet at line 8: BZ#847259 is already on "
            "source/issues/kvm-cdrom-passthrough.md, not written by an import") in out
    assert len(list(issues.glob("*.md"))) == 15  # 14 imported beside the person's page
    assert (issues / curated.name).read_bytes() == curated.read_bytes()
