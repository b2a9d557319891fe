"""``relnotes check``: every problem of a broken site once, at file:line; the real site is clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.pages import read_page

from tests.sphinx_build import ANSI

ROOT = Path(__file__).resolve().parents[1]
BROKEN = Path(__file__).parent / "fixtures" / "broken-site"

#: (file:line, subtype, a fragment of the message): one of each problem the fixture holds.
EXPECTED = {
    ("source/issues/bad-bz.md:3", "invalid_field", "'12ab' is not a Bugzilla number"),
    ("source/issues/bad-id.md:3", "invalid_field", "'Bad_ID' is not a lowercase slug"),
    ("source/issues/missing-kind.md:3", "missing_field", "missing required field(s): kind"),
    ("source/issues/unknown-field.md:7", "unknown_field", "unknown field 'severity'"),
    ("source/issues/unknown-kind.md:3", "invalid_field", "'bug' is not one of: feature, enhancement"),
    ("source/issues/unknown-topic.md:3", "invalid_field", "unknown topic(s) 'gpu'"),
    ("source/issues/dup-again.md:3", "duplicate_id",
     "duplicate issue id 'dup', also declared in source/issues/dup.md"),
    ("source/issues/references.md:3", "unknown_issue", "unknown issue id 'nowhere'"),
    ("source/issues/references.md:11", "unknown_issue", "unknown issue id 'missing-issue'"),
    ("source/issues/snippets.md:9", "snippet", "snippet path 'c/ok/absent.xml' is not a file"),
    ("source/issues/snippets.md:12", "snippet", "'../conf.py' leaves snippets/ (with '..')"),
    ("source/issues/lost.md:3", "unreachable", "issue 'lost' is not included in any toctree"),
    ("snippets/c/ok/unshown.xml:1", "snippet", "'c/ok/unshown.xml' is not included by any page"),
    ("source/issues/snippets.md:15", "snippet", "snippet 'c/bad/latin1.sh' is not UTF-8 text"),
    # As in the build, a snippet no page can show is not shown by any page.
    ("snippets/c/bad/latin1.sh:1", "snippet", "'c/bad/latin1.sh' is not included by any page"),
    ("source/latin1-page.md:1", "page", "not UTF-8 text (invalid continuation byte)"),
    ("snippets/c/bad/no-spec.sh:1", "spec", "no check spec beside it (no-spec.sh.check.toml)"),
    ("snippets/c/bad/renamed.sh.check.toml:1", "spec", "no snippet 'renamed.sh' beside this"),
    ("snippets/c/bad/unknown-key.xml.check.toml:3", "spec", "unknown key 'severity'"),
    ("snippets/c/bad/wrong-driver.xml.check.toml:2", "spec",
     "verified_by: 'c/bad/gone.virsh' is not a snippet with its own check"),
    # The writer's loop: what relnotes new leaves to write, one bug on two pages, bad XML.
    ("source/issues/placeholder.md:1", "placeholder", "the title is still relnotes new's placeholder"),
    ("source/issues/placeholder.md:9", "placeholder", "section 'Symptom' is empty"),
    ("source/issues/ok.md:3", "duplicate_bz", "BZ#100001 is also on source/issues/twice.md"),
    ("source/issues/twice.md:3", "duplicate_bz", "BZ#100001 is also on source/issues/ok.md"),
    ("snippets/c/bad/malformed.xml:3", "snippet",
     "not well-formed XML: Opening and ending tag mismatch: interface line 1 and interfac"),
}

LINE = re.compile(r"^(?P<where>\S+:\d+): (?P<message>.*) \[relnotes\.(?P<subtype>\w+)\]$")


def run_check(site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--site", str(site), "check"])
    return code, capsys.readouterr().out.splitlines()


def test_a_broken_site_reports_each_problem_once_at_its_line_and_exits_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_check(BROKEN, capsys)
    assert code == 1
    assert lines[-1] == f"{len(EXPECTED)} problems"
    reported = [LINE.match(line) for line in lines[:-1]]
    assert all(reported), lines
    for where, subtype, fragment in EXPECTED:
        found = [m for m in reported if m and m["where"] == where and m["subtype"] == subtype
                 and fragment in m["message"]]
        assert len(found) == 1, f"{where} {fragment!r} not reported once in {lines}"
    assert len(reported) == len(EXPECTED)


def test_the_real_site_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(ROOT, capsys) == (0, [])


def test_a_missing_source_folder_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "relnotes.toml").write_text("")
    assert main(["--site", str(tmp_path), "check"]) == 2
    assert "source: no such folder" in capsys.readouterr().err


def test_check_and_the_build_report_the_same_page_problems_at_the_same_places(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    shutil.copytree(BROKEN, site)
    _, lines = run_check(site, capsys)
    checked = {(m["where"], m["message"].replace(f"{site}/", "")) for line in lines
               if (m := LINE.match(line))}
    # Sphinx stops at a page that is not UTF-8 (check reports it and goes on): not compared.
    (site / "source" / "latin1-page.md").unlink()
    # In a process of its own: an in-process Sphinx leaves docutils registrations behind.
    done = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(site),
                           str(site / "source"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    built = set()
    for text in ANSI.sub("", done.stderr).splitlines():
        m = re.match(r"^(\S+?):(\d+): WARNING: (.*) \[(relnotes\.\w+|ref\.issue)\]$",
                     text.replace(f"{site}/", ""))
        if m:
            built.add((f"{m[1]}:{m[2]}", m[3]))
    # 16 page problems (a placeholder title and a BZ on two pages among them), and 3 spec
    # problems (a missing spec is check's alone: a preview build may show a snippet that has
    # no check yet).
    assert len(built) == 19
    # The build places a role's reference at its paragraph; check at the role's own line.
    role = ("source/issues/references.md:10", "unknown issue id 'missing-issue'")
    assert role in built
    assert built - {role} <= checked
    assert ("source/issues/references.md:11", role[1]) in checked


def test_directives_and_roles_keep_their_lines_inside_nested_markdown() -> None:
    page = read_page(
        "# T\n\n````{note}\nSee {rn:issue}`a`.\n\n```{rn:snippet} x/y.sh\n```\n````\n\n"
        "- item\n  text {rn:issue}`Title <b>` and\n  {rn:issue}`!c`\n\n"
        "```sh\n{rn:issue}`in-code`\n```\n\n:::{rn:issue} z\n:kind: k\n:::\n"
    )
    assert [(d.name, d.argument, d.line) for d in page.directives] == [
        ("note", "", 3), ("rn:snippet", "x/y.sh", 6), ("rn:issue", "z", 18)]
    assert page.directives[2].option_lines == {"kind": 19}
    assert [(r.target, r.line, r.linked) for r in page.roles] == [
        ("a", 4, True), ("b", 11, True), ("c", 12, False)]


@pytest.mark.parametrize("pattern", ["issues/*", "issues/**", "**", "issues/kvm-?", "issues/[a-k]*",
                                     "issues/[!a-k]*", "*/kvm-*"])
def test_toctree_globs_match_the_pages_sphinx_matches(pattern: str) -> None:
    from relnotes.core.lint import _glob_pattern
    from sphinx.util.matching import patfilter

    names = ["index", "issues/kvm-a", "issues/kvm-ab", "issues/xen-b", "issues/deep/kvm-c",
             "components/kvm", "issues/a"]
    assert [n for n in names if _glob_pattern(pattern).match(n)] == patfilter(names, pattern)


def test_roles_in_table_cells_keep_their_rows_lines() -> None:
    page = read_page("# T\n\n| a | b |\n|---|---|\n| {rn:issue}`x` | y |\n| z | {rn:issue}`w` |\n")
    assert [(r.target, r.line) for r in page.roles] == [("x", 5), ("w", 6)]


def test_a_bad_relnotes_toml_is_bad_input_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "relnotes.toml").write_text('topics = ["networking"]\naccelerator = "fast"\n')
    assert main(["--site", str(tmp_path), "check"]) == 2
    assert "relnotes.toml:2: accelerator: must be one of auto, kvm, tcg" in capsys.readouterr().err


def test_a_page_in_no_toctree_fails_check_as_it_fails_the_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    capsys.readouterr()
    (site / "source" / "stray.md").write_text("# A page no toctree lists\n")
    code, lines = run_check(site, capsys)
    assert code == 1
    assert lines == ["source/stray.md:1: document isn't included in any toctree "
                     "[relnotes.not_included]", "1 problem"]
    (site / "source" / "components" / "extra.md").write_text("# Extra\n")
    (site / "source" / "stray.md").unlink()
    # The new site's index includes every component page, so a new one is in a toctree.
    assert run_check(site, capsys) == (0, [])


def test_a_section_is_empty_without_content_of_its_own_or_of_a_subsection() -> None:
    page = read_page("# T\n\n## A\n\n% a comment\n\n(target)=\n## B\n\n### B1\n\nText.\n\n"
                     "## C\n\n<!-- a comment -->\n\n## D\n\n```{rn:snippet} c/x.xml\n```\n")
    assert [(h.text, h.line, h.has_content) for h in page.headings] == [
        ("T", 1, True), ("A", 3, False), ("B", 8, True), ("B1", 10, True), ("C", 14, False),
        ("D", 18, True)]
