"""``relnotes init``: a new site whose own ``make html``, ``relnotes check`` and tests pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.cli import init, main

from tests.ledgers import format_3_lines

EXAMPLE = "example/example-nic-model/interface-model-e1000.xml"

LAYOUT = {
    ".gitignore", "Makefile", "README.md", "conf.py", "relnotes.toml", "tox.ini",
    "_ext/README.md", "tests/test_site.py", "source/index.md", "source/components/example.md",
    "source/issues/example-nic-model.md", "snippets/_guests/minimal.xml", f"snippets/{EXAMPLE}",
    f"snippets/{EXAMPLE}.check.toml",
}


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_init_writes_the_documented_layout_named_after_the_folder(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "mysite")]) == 0
    assert files(tmp_path / "mysite") == LAYOUT
    assert 'project = "mysite"' in (tmp_path / "mysite" / "conf.py").read_text()


def test_init_takes_a_project_name(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "s"), "--project", "Storage Notes"]) == 0
    assert "# Storage Notes" in (tmp_path / "s" / "README.md").read_text()


def test_the_new_sites_make_html_and_relnotes_check_pass(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    # The Python running these tests has relnotes installed: no network install here.
    done = subprocess.run(["make", "html", f"PYTHON={sys.executable}"], cwd=site,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr
    assert (site / "_build" / "preview" / "issues" / "example-nic-model.html").is_file()
    check = subprocess.run([sys.executable, "-m", "relnotes.cli", "check"], cwd=site,
                           capture_output=True, text=True, timeout=120)
    assert (check.returncode, check.stdout) == (0, "")


def test_the_new_sites_own_tests_pass_once_its_example_is_replaced(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    # As the component page invites: the example goes, an issue of the product comes.
    (site / "source" / "issues" / "example-nic-model.md").unlink()
    shutil.rmtree(site / "snippets" / "example")
    assert main(["--site", str(site), "new", "slow-boot", "--component", "example", "--kind",
                 "known-issue", "--release", "1.0", "--title", "Guests boot slowly"]) == 0
    page = site / "source" / "issues" / "slow-boot.md"
    page.write_text(page.read_text().replace("## Workaround", "Guests take minutes to boot.\n\n"
                                             "## Workaround\n\nNone is known."))
    component = site / "source" / "components" / "example.md"
    component.write_text(component.read_text().replace("../issues/example-*", "../issues/*"))
    # The tests that need no verification run (the publish gate's needs a ledger).
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-k", "not verified", "tests"], cwd=site, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 passed" in done.stdout


def test_the_new_sites_makefile_says_how_to_install_relnotes_when_python_lacks_it(
        tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0
    done = subprocess.run(["make", "html", "PYTHON=/usr/bin/python3 -I -S"], cwd=site,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert ("relnotes (with its verify and test extras) is not installed for /usr/bin/python3 -I -S:"
            " pip install '<relnotes>[verify,test]'") in done.stdout


@pytest.mark.parametrize("existing", ["notes.txt", ".git"])
def test_init_refuses_a_non_empty_folder_naming_what_is_there(
        tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "mysite"
    site.mkdir()
    (site / existing).write_text("mine\n")
    assert main(["init", str(site)]) == 2
    assert f"is not empty (it holds {existing})" in capsys.readouterr().err
    assert files(site) == {existing}


def test_init_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "mysite").mkdir()
    assert main(["init", str(tmp_path / "mysite")]) == 0
    assert files(tmp_path / "mysite") == LAYOUT


def test_init_leaves_nothing_behind_when_writing_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real_copy = init._copy

    def copy_then_fail(*args: object) -> int:
        real_copy(*args)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(init, "_copy", copy_then_fail)
    assert main(["init", str(tmp_path / "mysite")]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
    # An empty folder given by the user is kept, empty, as it was.
    (tmp_path / "given").mkdir()
    assert main(["init", str(tmp_path / "given")]) == 2
    assert list((tmp_path / "given").iterdir()) == []


def test_a_project_name_that_would_break_conf_py_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "s"), "--project", 'My "notes"']) == 2
    assert "without quotes" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.libvirt
def test_the_new_sites_make_test_verifies_its_example_on_real_daemons_and_the_check_can_fail(
        tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    assert main(["init", str(site)]) == 0

    def verify() -> tuple[int, dict[str, dict[str, object]]]:
        done = subprocess.run([sys.executable, "-m", "relnotes.cli", "verify", "--force"],
                              cwd=site, capture_output=True, text=True, timeout=900)
        _header, ledger = format_3_lines(site / "_build" / "verification" / "ledger.json")
        return done.returncode, {str(r["target"]): r for r in ledger}

    # The new site's own make test: relnotes check, relnotes verify, then its tests (the
    # publish gate among them).
    done = subprocess.run(["make", "test", f"PYTHON={sys.executable}"], cwd=site,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 passed, 0 failed" in done.stdout
    _header, ledger = format_3_lines(site / "_build" / "verification" / "ledger.json")
    records = {str(r["target"]): r for r in ledger}
    assert sorted(records) == ["bookworm", "trixie"]
    for record in records.values():
        assert record["result"] == "passed"
        assert record["layers"]["effect"]["status"] == record["layers"]["control"]["status"] == "passed"

    # The check tells the change from the default: the default model itself fails it.
    snippet = site / "snippets" / EXAMPLE
    snippet.write_text(snippet.read_text().replace("e1000", "rtl8139"))
    code, records = verify()
    assert code == 1
    assert {r["result"] for r in records.values()} == {"failed"}


def test_init_into_the_current_empty_folder_keeps_the_folder_and_its_mode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "here"
    site.mkdir()
    site.chmod(0o2775)
    inode = site.stat().st_ino
    monkeypatch.chdir(site)
    assert main(["init", "."]) == 0
    assert site.stat().st_ino == inode and site.stat().st_mode & 0o7777 == 0o2775
    assert (site / "conf.py").is_file() and not list(site.glob(".relnotes-init.*"))
    assert "created . (14 files)" in capsys.readouterr().out


def test_init_where_no_folder_can_be_made_is_an_error_not_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "/proc/relnotes-cannot-be-here"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot create the site in /proc/")
