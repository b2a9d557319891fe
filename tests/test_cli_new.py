"""``relnotes new``: an issue page scaffold the build accepts; bad requests are refused with why."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.model import Kind


@pytest.fixture
def site(tmp_path: Path) -> Path:
    assert main(["init", str(tmp_path / "mysite")]) == 0
    return tmp_path / "mysite"


def new(site: Path, *args: str) -> int:
    return main(["--site", str(site), "new", *args])


def issues(site: Path) -> set[str]:
    return {p.name for p in (site / "source" / "issues").iterdir()}


def test_new_writes_a_page_that_relnotes_check_accepts(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(site, "example-slow-boot", "--component", "example", "--kind", "limitation",
               "--bz", "123456", "--bz", "BZ#234567,345678", "--release", "1.1",
               "--release", "1.2", "--title", "Guests boot slowly") == 0
    text = (site / "source" / "issues" / "example-slow-boot.md").read_text()
    assert text.startswith("# Guests boot slowly\n\n```{rn:issue} example-slow-boot\n"
                           ":bz: 123456, 234567, 345678\n:component: example\n:releases: 1.1, 1.2\n"
                           ":kind: known-issue\n```\n")  # a kind of earlier versions, written as it is now
    capsys.readouterr()
    # Until the writer fills them in, check names the scaffold's empty sections...
    assert main(["--site", str(site), "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "source/issues/example-slow-boot.md:10: section 'Symptom' is empty: write it, or remove "
        "its heading [relnotes.placeholder]",
        "source/issues/example-slow-boot.md:14: section 'Workaround' is empty: write it, or "
        "remove its heading [relnotes.placeholder]",
        "2 problems"]
    # ...and accepts the page once they are written.
    page = site / "source" / "issues" / "example-slow-boot.md"
    page.write_text(page.read_text().replace("## Workaround", "Guests take minutes to boot.\n\n"
                                             "## Workaround\n\nNone is known."))
    assert main(["--site", str(site), "check"]) == 0


def test_without_a_title_the_placeholder_is_reported_by_check(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(site, "example-untitled", "--component", "example", "--kind", "limitation",
               "--release", "1.1") == 0
    capsys.readouterr()
    assert main(["--site", str(site), "check"]) == 1
    assert ("source/issues/example-untitled.md:1: the title is still relnotes new's placeholder: "
            "write the symptom, as a reader would search for it [relnotes.placeholder]"
            in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize("kind", [kind.value for kind in Kind])
def test_every_kind_of_the_model_is_accepted(site: Path, kind: str) -> None:
    assert new(site, "example-x", "--component", "example", "--kind", kind, "--release", "1") == 0


def test_without_a_release_the_page_is_written_and_check_says_what_to_fill_in(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(site, "example-x", "--component", "example", "--kind", "known-issue") == 0
    assert "fill in :releases:" in capsys.readouterr().out
    assert main(["--site", str(site), "check"]) == 1
    assert ("source/issues/example-x.md:3: issue 'example-x': missing required field(s): releases"
            in capsys.readouterr().out)


def test_a_component_with_only_a_relnotes_toml_entry_is_known(site: Path) -> None:
    settings = site / "relnotes.toml"
    settings.write_text(settings.read_text() + '\n[components]\nstorage = "components/example"\n')
    assert new(site, "storage-x", "--component", "storage", "--kind", "known-issue") == 0


@pytest.mark.parametrize(("args", "reason"), [
    (["example-nic-model", "--component", "example", "--kind", "known-issue"],
     "issue 'example-nic-model' exists"),
    (["example-x", "--component", "example", "--kind", "bug"],
     "kind: 'bug' is not one of: " + ", ".join(kind.value for kind in Kind)),
    (["example-x", "--component", "nope", "--kind", "known-issue"],
     "component 'nope' is unknown (known: example)"),
    (["Example_X", "--component", "example", "--kind", "known-issue"],
     "id: 'Example_X' is not a lowercase slug"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--bz", "12ab"],
     "bz: '12ab' is not a Bugzilla number"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--release", "1, 2"],
     "--release: one release per option"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--jira", "rhel 12"],
     "jira: 'rhel 12' is not a Jira issue key"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--retired", "soon"],
     "retired: 'soon' is not 'YYYY-MM-DD: why it is retired'"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--retired", ""],
     "--retired: 'YYYY-MM-DD: why it no longer applies', not empty"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--topic", "sound"],
     "unknown topic(s) 'sound'"),
    (["example-x", "--component", "example", "--kind", "known-issue", "--fixed-in", "1,2"],
     "fixed-in: '1,2' is not a release name"),
])
def test_a_bad_request_is_refused_with_its_reason_and_writes_nothing(
        site: Path, args: list[str], reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = issues(site)
    assert new(site, *args) == 2
    assert reason in capsys.readouterr().err
    assert issues(site) == before


def test_an_id_declared_by_a_page_of_another_name_is_refused(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = site / "source" / "issues" / "example-nic-model.md"
    page.rename(page.with_name("nic.md"))
    assert new(site, "example-nic-model", "--component", "example", "--kind", "known-issue") == 2
    assert "issue id 'example-nic-model' is already declared in" in capsys.readouterr().err


def test_new_says_when_no_toctree_will_include_the_page(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    capsys.readouterr()
    # The example component page includes ../issues/example-*: this id is not among them.
    assert main(["--site", str(site), "new", "my-first-issue", "--component", "example",
                 "--kind", "known-issue", "--release", "1.0"]) == 0
    assert ("add issues/my-first-issue to a toctree (its component page's, for example)"
            in capsys.readouterr().out)
    assert main(["--site", str(site), "new", "example-second", "--component", "example",
                 "--kind", "known-issue", "--release", "1.0"]) == 0
    assert "toctree" not in capsys.readouterr().out


def test_every_field_of_the_record_can_be_given_and_check_accepts_the_page(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(site, "example-fixed", "--component", "example", "--kind", "bug-fix",
               "--bz", "123456", "--jira", "RHEL-1234,RHEL-99", "--release", "1.1",
               "--fixed-in", "1.2", "--retired", "2026-11-30: not reproduced on 1.2",
               "--topic", "storage", "--topic", "performance",
               "--title", "Writes stall under load") == 0
    page = site / "source" / "issues" / "example-fixed.md"
    assert page.read_text().startswith(
        "# Writes stall under load\n\n```{rn:issue} example-fixed\n:bz: 123456\n"
        ":jira: RHEL-1234, RHEL-99\n:component: example\n:releases: 1.1\n:kind: bug-fix\n"
        ":fixed-in: 1.2\n:retired: 2026-11-30: not reproduced on 1.2\n"
        ":topics: storage, performance\n```\n")
    page.write_text(page.read_text().replace("## Workaround", "Writes stall.\n\n## Workaround"
                                             "\n\nNone is known."))
    capsys.readouterr()
    assert main(["--site", str(site), "check"]) == 0, capsys.readouterr().out


def test_a_release_outside_the_declared_releases_is_refused(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = site / "relnotes.toml"
    toml.write_text(toml.read_text() + 'releases = ["1.1", "1.2"]\n')
    before = issues(site)
    assert new(site, "example-x", "--component", "example", "--kind", "bug-fix",
               "--release", "1.1", "--fixed-in", "2.0") == 2
    assert ("release '2.0' is not one of relnotes.toml's releases (1.1, 1.2)"
            in capsys.readouterr().err)
    assert issues(site) == before
    assert new(site, "example-x", "--component", "example", "--kind", "bug-fix",
               "--release", "1.1", "--fixed-in", "1.2") == 0
