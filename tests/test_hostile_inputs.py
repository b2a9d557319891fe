"""Hostile names and input files: every id, component and release rule is a full match; an
input file is a regular file read to a bound; an import applies the site's rules before it
writes anything."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.model import (
    RecordError,
    parse_component,
    parse_issue_id,
    parse_release,
    parse_releases,
)

from tests.importing import run, site, tree

pytestmark = pytest.mark.hostile


@pytest.mark.parametrize("value", ["id\n", "a\nb", "\nid", "x" * 101])
def test_an_id_or_component_with_a_newline_or_too_long_is_refused(value: str) -> None:
    with pytest.raises(RecordError, match="is not a lowercase slug"):
        parse_issue_id(value)
    with pytest.raises(RecordError, match="is not a lowercase slug"):
        parse_component(value)


@pytest.mark.parametrize("value", ["9.0\n", "9.0\n:kind: limitation", "9\u2028", "9\x1b[2J",
                                   " 9", "9,10", "x" * 65])
def test_a_release_with_a_newline_a_comma_or_a_control_character_is_refused(value: str) -> None:
    with pytest.raises(RecordError, match="is not a release name"):
        parse_release(value)


def test_a_page_field_with_a_line_break_inside_a_release_is_refused() -> None:
    with pytest.raises(RecordError, match="is not a release name"):
        parse_releases("9.0\n:kind: limitation, 9.1")


def test_ordinary_releases_are_accepted() -> None:
    assert parse_releases("RHEL 5.6, 9, 1.0-rc1") == ("RHEL 5.6", "9", "1.0-rc1")


def new_site(tmp_path: Path) -> Path:
    (tmp_path / "source" / "components").mkdir(parents=True)
    (tmp_path / "source" / "components" / "kvm.md").write_text("# kvm\n")
    (tmp_path / "conf.py").write_text("")
    return tmp_path


@pytest.mark.parametrize(("argv", "message"), [
    (["id\n", "--component", "kvm"], "is not a lowercase slug"),
    (["an-id", "--component", "kvm\n"], "component: 'kvm\\n' is not a lowercase slug"),
    (["an-id", "--component", "kvm", "--release", "9\n:kind: limitation"],
     "is not a release name"),
    (["an-id", "--component", "kvm", "--title", "T\n```{rn:issue} other"],
     "--title: one line of printable text"),
])
def test_relnotes_new_refuses_names_with_newlines_and_writes_nothing(
        tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = new_site(tmp_path)
    before = tree(root)
    assert main(["--site", str(root), "new", *argv, "--kind", "known-issue"]) == 2
    assert message in capsys.readouterr().err
    assert tree(root) == before


def test_an_import_of_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    root = site(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    status, _, err = run("bugzilla", str(fifo), "--into", str(root))
    assert time.monotonic() - started < 1
    assert status == 1
    assert "is a FIFO, not a regular file" in err


def test_an_import_of_a_device_is_refused_at_once(tmp_path: Path) -> None:
    root = site(tmp_path)
    started = time.monotonic()
    status, _, err = run("bugzilla", "/dev/zero", "--into", str(root))
    assert time.monotonic() - started < 1
    assert (status, "/dev/zero: is a device, not a regular file" in err) == (1, True)


def test_a_file_growing_past_the_bound_while_read_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "grow"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="is a FIFO"):
        read_bounded(fifo, 10)
    path = tmp_path / "small"
    path.write_bytes(b"x" * 11)
    with pytest.raises(InputFileError, match="too large"):
        read_bounded(path, 10)
    assert read_bounded(path, 11) == b"x" * 11


def bug(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"id": 1000001, "summary": "A guest fails", "component": ["kvm"],
                               "version": ["9.0"], "cf_doc_type": "Known Issue",
                               "cf_release_notes": "The guest fails.\n\n    virsh start GUEST\n"}
    return {**base, **fields}


@pytest.mark.parametrize(("changes", "message"), [
    ({"id": 10**20}, "'100000000000000000000' is not a Bugzilla number"),
    ({"cf_release_notes": "Big:\n\n" + "".join(f"    echo {i:07d}\n" for i in range(50_000))},
     "over the site's snippet_size_limit"),
    ({"version": ["x" * 80]}, "is not a release name"),
])
def test_an_import_the_site_would_refuse_writes_nothing(
        tmp_path: Path, changes: dict[str, object], message: str) -> None:
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    data = tmp_path / "bugs.json"
    data.write_text(json.dumps({"bugs": [bug(**changes)]}))
    before = tree(root)
    status, _, err = run("bugzilla", str(data), "--into", str(root))
    assert status == 1, err
    assert message in err
    assert tree(root) == before


def test_a_snippet_folder_that_is_a_symbolic_link_is_an_error_not_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from relnotes.core.spec import SpecError, load_specs, spec_problems

    snippets = tmp_path / "snippets"
    (snippets / "_guests").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fix.sh").write_text("true\n")
    (elsewhere / "fix.sh.check.toml").write_text('kind = "shell"\n')
    os.symlink(elsewhere, snippets / "kvm")
    with pytest.raises(SpecError, match="a folder of snippets that is a symbolic link"):
        load_specs(snippets)
    assert [problem.file for problem in spec_problems(snippets)] == [snippets / "kvm"]
    (tmp_path / "source").mkdir()
    (tmp_path / "conf.py").write_text("")
    (tmp_path / "source" / "index.md").write_text("# Notes\n")
    assert main(["--site", str(tmp_path), "check"]) == 1
    assert ("snippets/kvm:1: check spec: a folder of snippets that is a symbolic link"
            in capsys.readouterr().out)
