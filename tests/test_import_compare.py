"""The imported kvm section against the hand-curated pages and snippets of the site.

Pages differ by design (curated pages are rewritten for readers, with topics and headings);
the test reports each difference. What a reader types or saves must not differ: every
imported snippet is byte-identical to a curated one of the same issue.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from relnotes.importing.cli import main

ROOT = Path(__file__).parent.parent
PORTAL = Path(__file__).parent / "data" / "rhel5-technical-notes-kvm.portal.txt"
# A curated snippet with no imported counterpart, and why.
NOT_IMPORTED = {
    "kvm-kmod-module-loading/load-modules.sh":
        "the command is named inside a sentence, not shown as a block to type",
}


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]{4,}", text.lower()))


def field(page: str, name: str) -> str:
    match = re.search(rf"^:{name}: (.*)$", page, re.M)
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("imported")
    (site / "conf.py").write_text("extensions = []\n")
    assert main(["text", str(PORTAL), "--component", "kvm", "--release", "RHEL 5",
                 "--into", str(site)]) == 0
    return site


@pytest.fixture(scope="module")
def page_mapping(imported: Path) -> dict[str, str]:
    """Imported issue id -> curated issue id: by BZ numbers, else by the words they share."""
    curated = {p.stem: p.read_text() for p in (ROOT / "source" / "issues").glob("*.md")}
    mapping: dict[str, str] = {}
    for page in sorted((imported / "source" / "issues").glob("*.md")):
        text = page.read_text()
        bz = field(text, "bz")
        same_bz = [cid for cid, ctext in curated.items() if bz and field(ctext, "bz") == bz]
        if same_bz:
            mapping[page.stem] = same_bz[0]
            continue
        mapping[page.stem] = max(curated, key=lambda cid: len(words(text) & words(curated[cid])))
    return mapping


def test_every_imported_page_has_its_own_curated_page(page_mapping: dict[str, str]) -> None:
    assert len(page_mapping) == 15
    assert len(set(page_mapping.values())) == 15


def test_the_differences_between_imported_and_curated_pages_are_reported(
        imported: Path, page_mapping: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    differences = []
    for imported_id, curated_id in sorted(page_mapping.items()):
        ours = (imported / "source" / "issues" / f"{imported_id}.md").read_text()
        theirs = (ROOT / "source" / "issues" / f"{curated_id}.md").read_text()
        if imported_id != curated_id:
            differences.append(f"{curated_id}: id {imported_id!r} (curated {curated_id!r})")
        for name in ("bz", "kind", "releases", "topics"):
            if field(ours, name) != field(theirs, name):
                differences.append(f"{curated_id}: {name} {field(ours, name)!r} "
                                   f"(curated {field(theirs, name)!r})")
        title, curated_title = ours.splitlines()[0], theirs.splitlines()[0]
        if title != curated_title:
            differences.append(f"{curated_id}: title {title[2:]!r} (curated {curated_title[2:]!r})")
    with capsys.disabled():
        print(f"\n{len(differences)} differences between imported and curated pages:")
        for line in differences:
            print("  " + line)
    # Curated pages carry topics and rewritten titles that no import can know; the BZ numbers
    # and the kinds that the text states must agree.
    assert not [d for d in differences if ": bz " in d]
    assert "kvm-qcow2-preview: kind" not in "\n".join(differences)


def test_imported_snippets_are_byte_identical_to_the_curated_ones(
        imported: Path, page_mapping: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    curated_root = ROOT / "snippets" / "kvm"
    matched: set[str] = set()
    report = []
    for imported_id, curated_id in sorted(page_mapping.items()):
        for snippet in sorted((imported / "snippets" / "kvm" / imported_id).glob("*")):
            if snippet.name.endswith(".check.toml"):
                continue
            same = [p for p in sorted((curated_root / curated_id).glob("*"))
                    if p.is_file() and p.read_bytes() == snippet.read_bytes()]
            assert same, f"{imported_id}/{snippet.name}: no curated snippet of {curated_id} " \
                         f"has these bytes:\n{snippet.read_text()}"
            key = f"{curated_id}/{same[0].name}"
            matched.add(key)
            if same[0].name != snippet.name:
                report.append(f"{key}: imported as {snippet.name}")
    curated = {p.relative_to(curated_root).as_posix() for p in curated_root.rglob("*")
               if p.is_file() and not p.name.endswith(".check.toml") and "modern" not in p.parts}
    assert curated - matched == set(NOT_IMPORTED)
    with capsys.disabled():
        print(f"\n{len(matched)} curated snippets imported byte for byte; names differ for:")
        for line in report:
            print("  " + line)
        for key, why in NOT_IMPORTED.items():
            print(f"  {key}: not imported: {why}")
