"""Hostile input gets a located error and exit 2, never a traceback; untrusted text reaches
the terminal with its control characters escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.ledger import Ledger, write_ledger
from relnotes.core.terminal import printable

from tests.importing import run, site, tree
from tests.test_ledger import record

pytestmark = pytest.mark.hostile


def ledger_file(tmp_path: Path, name: str = "ledger.json") -> Path:
    ledger = Ledger()
    ledger.add(record())
    path = tmp_path / name
    write_ledger(ledger, path)
    return path


def edited(path: Path, change: str) -> Path:
    header, *records = path.read_text().splitlines(keepends=True)
    if change == "sequence":  # JSON has it; Python's float is inf
        header = header.replace('"sequence":1', '"sequence":1e400')
    else:
        records[0] = records[0].replace("2026-01-02T03:04:05Z", "0001-01-01T00:00:00+23:59")
    path.write_text(header + "".join(records))
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: _deep(tmp / "deep.json"), "not a ledger: nested too deeply"),
    (lambda tmp: edited(ledger_file(tmp), "sequence"), "sequence: not a whole number"),
    (lambda tmp: edited(ledger_file(tmp), "date"), "records[0]: out of range: date value out of range"),
    (lambda tmp: tmp / "missing.json", "missing.json: no such ledger"),
    (lambda tmp: _folder(tmp / "folder.json"), "folder.json: is a folder, not a ledger"),
])
def test_verify_merge_of_a_broken_ledger_is_a_located_error(
        tmp_path: Path, make: object, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    bad = make(tmp_path)  # type: ignore[operator]
    good = ledger_file(tmp_path, "good.json")
    assert main(["--site", str(tmp_path), "verify", "merge", str(good), str(bad), "-o",
                 str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out.json").exists()


def _deep(path: Path) -> Path:
    path.write_text("[" * 50_000 + "]" * 50_000)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_verify_merge_into_a_folder_is_refused(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    good = ledger_file(tmp_path)
    (tmp_path / "out").mkdir()
    assert main(["--site", str(tmp_path), "verify", "merge", str(good), "-o",
                 str(tmp_path / "out")]) == 2
    assert "-o names a folder or a link, not a ledger file" in capsys.readouterr().err
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(("settings", "message"), [
    ("x = " + "[" * 50_000 + "]" * 50_000 + "\n", "not valid TOML: nested too deeply"),
    ('snippets_dir = "a\\u0000b"\n', "snippets_dir: 'a\\x00b' is not a path"),
    ('bugzilla_url = "javascript:alert(1)//{bz}"\n', "bugzilla_url: must be an http(s) URL"),
    ('bugzilla_url = "https://bz/{bz}{x}"\n', "may hold no braces but '{bz}'"),
    ('bugzilla_url = "https://bz/\\"onmouseover=x/{bz}"\n', "may hold no space, quote"),
    ('languages = ["en", "en"]\n', "languages: names a language twice"),
    ('languages = ["en", "xx"]\n', "languages: 'xx' is not a language Sphinx has"),
    ('[components]\nkvm = "../../etc/kvm"\n', "components.kvm: '../../etc/kvm' is not a page"),
    ('[components]\nkvm = "/abs"\n', "is not a page of source/"),
])
def test_a_bad_setting_is_a_located_error(tmp_path: Path, settings: str, message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "relnotes.toml").write_text(settings)
    assert main(["--site", str(tmp_path), "check"]) == 2
    err = capsys.readouterr().err
    assert "relnotes.toml:" in err and message in err and "Traceback" not in err


def test_a_settings_file_that_is_a_folder_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "conf.py").write_text("")  # a site, whose settings file is a folder
    (tmp_path / "relnotes.toml").mkdir()
    assert main(["--site", str(tmp_path), "check"]) == 2
    assert "relnotes.toml: is a folder, not a settings file" in capsys.readouterr().err


def test_init_with_a_folder_name_too_long_is_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / ("a" * 300)), "--project", "ok"]) == 2
    err = capsys.readouterr().err
    assert "File name too long" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "a\rb", "a\nb", "x" * 101,
                                  "say \"hi\""])
def test_init_refuses_a_project_name_that_would_be_markup(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "site"), "--project", name]) == 2
    assert "error: --project" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_init_refuses_a_folder_name_that_would_be_markup(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "<img src=x onerror=alert(1)>")]) == 2
    assert "give --project NAME" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_bugzilla_error_message_is_printed_with_its_escapes_shown(tmp_path: Path) -> None:
    root = site(tmp_path / "site") if (tmp_path / "site").mkdir() is None else tmp_path
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"error": True, "code": 32000,
                                  "message": "\x1b]0;pwned\x07\x1b[2Jgone\u202e"}))
    before = tree(root)
    status, _, err = run("bugzilla", str(answer), "--into", str(root))
    assert status == 1
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "Bugzilla answered with an error 32000: \\x1b]0;pwned\\x07\\x1b[2Jgone\\u202e" in err
    assert tree(root) == before


def test_printable_keeps_lines_and_tabs() -> None:
    assert printable("a\tb\nc\x1b[31m\x9b") == "a\tb\nc\\x1b[31m\\x9b"
