"""Hostile settings: every path, URL and name in relnotes.toml is validated before anything
reads or writes by it, and the ledger the settings name is the one every command uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.ledger import load_ledger
from relnotes.core.settings import SettingsError, load_settings
from relnotes.engine import runner

from tests.test_verify_merge import fake_daemon, fake_run_target

pytestmark = pytest.mark.hostile

SNIPPETS = Path(__file__).parent.parent / "snippets"


def site_with(tmp_path: Path, settings: str) -> Path:
    site = tmp_path / "site"
    (site / "source").mkdir(parents=True)
    shutil.copytree(SNIPPETS, site / "snippets")
    (site / "conf.py").write_text("")
    (site / "relnotes.toml").write_text(settings)
    return site


def test_verify_reads_and_writes_the_ledger_the_settings_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import relnotes.engine.container as container

    monkeypatch.setattr(runner, "run_target", fake_run_target)
    monkeypatch.setattr(container, "running_daemon",
                        lambda target, accelerator: fake_daemon(target))
    site = site_with(tmp_path, 'targets = ["bookworm"]\n'
                               'ledger = "_build/verification/site-ledger.json"\n')
    assert main(["--site", str(site), "verify", "--force", "--jobs", "1"]) in (0, 1)
    folder = site / "_build" / "verification"
    assert sorted(p.name for p in folder.iterdir()) == ["junit.xml", "site-ledger.json"]
    written = load_ledger(folder / "site-ledger.json")
    assert written.records  # what the gate reads (settings.ledger) is what verify wrote
    assert load_settings(site).ledger == folder / "site-ledger.json"


@pytest.mark.parametrize(("value", "message"), [
    ('"_build"', "must name a .json file"),
    ('"conf.py"', "must name a .json file"),
    ('"relnotes.toml"', "must name a .json file"),
    ('"source/ledger.json"', "is inside source/, a folder of the site's own"),
    ('"snippets/ledger.json"', "is inside snippets/, a folder of the site's own"),
    ('"_build/folder.json"', "is not a regular file"),
])
def test_a_ledger_setting_naming_a_folder_or_a_file_of_the_site_is_refused(
        tmp_path: Path, value: str, message: str, capfd: pytest.CaptureFixture[str]) -> None:
    site = site_with(tmp_path, f"ledger = {value}\n")
    (site / "_build" / "folder.json").mkdir(parents=True)
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(site)
    assert error.value.line == 1
    before = sorted(p.name for p in site.rglob("*"))
    assert main(["--site", str(site), "verify", "merge", str(site / "x.json"), "-o",
                 str(site / "y.json")]) == 2
    assert f"relnotes.toml:1: ledger: {value[1:-1]!r}" in capfd.readouterr().err
    assert sorted(p.name for p in site.rglob("*")) == before


@pytest.mark.parametrize(("out", "message"), [
    (".", "is the site folder"),
    ("source", "is inside source/, a folder of the site's own"),
    ("snippets/kvm", "is inside snippets/, a folder of the site's own"),
    ("conf.py", "is not a folder"),
])
def test_verify_refuses_an_out_that_is_the_site_or_its_own_folders(
        tmp_path: Path, out: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    site = site_with(tmp_path, 'targets = ["bookworm"]\n')
    before = sorted(str(p) for p in site.rglob("*"))
    assert main(["--site", str(site), "verify", "--out", str(site / out)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(str(p) for p in site.rglob("*")) == before
