"""The real site, built like `tox -e docs`, checked against the Technical Notes it adapts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sphinx.cmd.build import build_main

ROOT = Path(__file__).parent.parent
SOURCE_TEXT = (Path(__file__).parent / "data" / "rhel5-technical-notes-kvm.txt").read_text()
PROMPT = re.compile(r"^\s*~\][$#]\s*")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    warnings = out / "warnings.txt"
    status = build_main(["-q", "-W", "--keep-going", "-w", str(warnings), "-c", str(ROOT),
                         "-d", str(out / "doctrees"), "-b", "html", str(ROOT / "source"),
                         str(out / "html")])
    assert status == 0, warnings.read_text()
    return out / "html"


@pytest.fixture(scope="module")
def issues(site: Path) -> list[dict[str, Any]]:
    return list(json.loads((site / "issues.json").read_text())["issues"])


def test_every_bullet_of_the_source_is_one_issue(issues: list[dict[str, Any]]) -> None:
    bullets = [line for line in SOURCE_TEXT.splitlines() if line.startswith("  • ")]
    kvm = [issue for issue in issues if issue["component"] == "kvm"]
    assert len(bullets) == 15
    assert len(kvm) == len(bullets)


def test_every_bz_of_the_source_is_carried_by_one_issue(
    site: Path, issues: list[dict[str, Any]]
) -> None:
    published = {int(number) for number in re.findall(r"BZ#(\d+)", SOURCE_TEXT)}
    carried = [number for issue in issues for number in issue["bz"]]
    assert sorted(carried) == sorted(published)  # each exactly once, none invented
    for number in published:
        assert (site / "bz" / f"{number}.html").is_file()


def test_every_issue_page_exists_at_its_stable_url(site: Path, issues: list[dict[str, Any]]) -> None:
    for issue in issues:
        assert issue["url"] == f"issues/{issue['id']}.html"
        assert (site / issue["url"]).is_file()


def published_snippets() -> list[Path]:
    return sorted(
        path for path in (ROOT / "snippets" / "kvm").rglob("*")
        if path.is_file() and not path.name.endswith(".toml") and "modern" not in path.parts
    )


@pytest.mark.parametrize("snippet", published_snippets(), ids=lambda p: p.name)
def test_published_snippets_keep_the_vendors_text(snippet: Path) -> None:
    # Evidence is never bent: each line of an "as published" snippet stands in the source
    # as printed there, give or take the shell prompt and the page's indentation (or, for a
    # command the notes name in prose, inside that sentence).
    source_lines = {PROMPT.sub("", line).strip() for line in SOURCE_TEXT.splitlines()}
    for line in snippet.read_text().splitlines():
        text = line.strip()
        if text:
            assert text in source_lines or f" {text} " in SOURCE_TEXT, (
                f"{snippet.name}: {line!r} is not in the source")


def test_modern_variants_are_labelled_on_their_pages(site: Path) -> None:
    for path in (ROOT / "snippets" / "kvm").rglob("modern/*"):
        if path.suffix == ".toml":
            continue
        issue_id = path.relative_to(ROOT / "snippets" / "kvm").parts[0]
        page = (site / "issues" / f"{issue_id}.html").read_text()
        assert path.relative_to(ROOT / "snippets").as_posix() in page
        assert "odern" in page  # "Modern variant" label next to it
