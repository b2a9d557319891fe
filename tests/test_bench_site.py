"""The site-build benchmark's corpus generator writes valid N=5 projects for each variant.

Generator correctness only (timings are the benchmark's business): every reference
in a generated page names something the corpus defines, and the plain and sphinx-needs
variants build warning-free with ``-W``.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import site_corpus as corpus

N = 5
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FENCE = re.compile(r"^```\{(?P<name>[\w:-]+)\}[ ]?(?P<arg>.*)\n(?P<body>(?:(?!```).*\n)*?)```$",
                   re.MULTILINE)
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ ]?(?P<value>.*)$", re.MULTILINE)


def directives(text: str, name: str) -> list[tuple[str, dict[str, str]]]:
    """(argument, options) of each fenced ``{name}`` directive of a MyST page."""
    return [
        (m["arg"].strip(), {o["key"]: o["value"].strip() for o in OPTION.finditer(m["body"])})
        for m in FENCE.finditer(text)
        if m["name"] == name
    ]


def split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@pytest.fixture(scope="module")
def issues() -> list[corpus.SynthIssue]:
    return corpus.make_issues(N)


def test_same_seed_same_corpus() -> None:
    assert corpus.make_issues(N) == corpus.make_issues(N)
    assert corpus.make_issues(N) != corpus.make_issues(N, seed=3)


def test_too_small_corpus_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        corpus.make_issues(1)


def test_records_are_valid(issues: list[corpus.SynthIssue]) -> None:
    ids = {issue.id for issue in issues}
    all_bz = [bz for issue in issues for bz in issue.bz]
    assert len(ids) == N
    assert len(all_bz) == len(set(all_bz)), "a BZ number belongs to one issue"
    for issue in issues:
        assert SLUG.match(issue.id)
        assert 1 <= len(issue.bz) <= 3
        assert 1 <= len(issue.topics) <= 3
        assert set(issue.topics) <= set(corpus.TOPICS)
        assert issue.kind in corpus.KINDS
        assert issue.see_also in ids and issue.see_also != issue.id
        assert issue.mentioned_issue in ids and issue.mentioned_issue != issue.id
        assert issue.mentioned_bz in all_bz and issue.mentioned_bz not in issue.bz
        assert issue.snippet_path.startswith(f"{issue.component}/{issue.id}/")


def test_component_globs_do_not_overlap() -> None:
    for component in corpus.COMPONENTS:
        others = [c for c in corpus.COMPONENTS if c != component]
        assert not [c for c in others if fnmatch.fnmatch(f"{c}-synthetic-00001", f"{component}-*")]


@pytest.fixture(params=corpus.VARIANTS)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    corpus.write_project(tmp_path, N, request.param)
    return request.param, tmp_path


def test_every_page_and_snippet_is_written(
    project: tuple[str, Path], issues: list[corpus.SynthIssue]
) -> None:
    variant, root = project
    assert (root / "source" / "index.md").is_file()
    assert (root / "conf.py").is_file() is (variant != "rn")  # rn uses the site's real conf
    for issue in issues:
        assert (root / "source" / "issues" / f"{issue.id}.md").is_file()
        assert (root / "snippets" / issue.snippet_path).read_text().strip()
    for component in {issue.component for issue in issues}:
        page = (root / "source" / "components" / f"{component}.md").read_text()
        (_, toctree), = directives(page, "toctree")
        assert "hidden" in toctree and "glob" in toctree
        assert f"../issues/{component}-*" in page


def test_rn_pages_use_the_site_syntax(issues: list[corpus.SynthIssue], tmp_path: Path) -> None:
    corpus.write_project(tmp_path, N, "rn")
    ids = {issue.id for issue in issues}
    bz_of = {bz: issue.id for issue in issues for bz in issue.bz}
    for issue in issues:
        text = (tmp_path / "source" / "issues" / f"{issue.id}.md").read_text()
        (arg, options), = directives(text, "rn:issue")
        assert arg == issue.id
        assert set(options) == {"bz", "component", "releases", "kind", "topics", "see-also"}
        assert set(split(options["topics"])) <= set(corpus.TOPICS)
        assert options["kind"] in corpus.KINDS
        assert options["see-also"] in ids - {issue.id}
        assert [int(b) for b in split(options["bz"])] == list(issue.bz)
        (snippet, _), = directives(text, "rn:snippet")
        assert (tmp_path / "snippets" / snippet).is_file()
        mentioned = [int(b) for b in re.findall(r"BZ#(\d+)", text)]
        assert mentioned and all(bz_of[b] != issue.id for b in mentioned)
        assert set(re.findall(r"\{rn:issue\}`([^`]+)`", text)) <= ids - {issue.id}
    for component in {issue.component for issue in issues}:
        page = (tmp_path / "source" / "components" / f"{component}.md").read_text()
        assert directives(page, "rn:issue-list") == [(component, {})]


@pytest.mark.parametrize("variant", ["plain", "needs"])
def test_other_variants_have_no_rn_markup(variant: str, tmp_path: Path) -> None:
    corpus.write_project(tmp_path, N, variant)
    for page in (tmp_path / "source").rglob("*.md"):
        assert "rn:" not in page.read_text(), page


def test_needs_link_existing_needs(issues: list[corpus.SynthIssue], tmp_path: Path) -> None:
    corpus.write_project(tmp_path, N, "needs")
    need_ids = {issue.need_id for issue in issues}
    for issue in issues:
        text = (tmp_path / "source" / "issues" / f"{issue.id}.md").read_text()
        (_, options), = directives(text, "need")
        assert re.match(r"^[A-Z0-9_]{5,}", options["id"])  # sphinx-needs' default id_regex
        assert options["links"] in need_ids - {options["id"]}


def test_unknown_variant_is_refused(issues: list[corpus.SynthIssue]) -> None:
    with pytest.raises(ValueError, match="unknown variant"):
        list(corpus.files(issues, "rst"))


@pytest.mark.parametrize("variant", ["plain", "needs"])
def test_plain_and_needs_projects_build_without_warnings(variant: str, tmp_path: Path) -> None:
    needed = {"plain": "myst_parser", "needs": "sphinx_needs"}[variant]
    if importlib.util.find_spec(needed) is None:
        pytest.skip(f"{needed} is not installed (requirements/bench.in)")
    corpus.write_project(tmp_path / "proj", N, variant)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
         str(tmp_path / "proj" / "source"), str(out), "-c", str(tmp_path / "proj")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert len(list((out / "issues").glob("*.html"))) == N
