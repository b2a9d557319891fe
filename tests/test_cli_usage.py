"""The ``relnotes`` command: every subcommand has help with its exit codes; misuse exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.cli import SUBCOMMANDS, main, parser

EXT = Path(__file__).resolve().parents[1] / "_ext"


def relnotes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relnotes.cli", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("args", [["bogus"], ["check", "--bogus"], ["new", "x"], []])
def test_an_unknown_subcommand_or_option_prints_usage_and_exits_2(args: list[str]) -> None:
    done = relnotes(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: relnotes")


def test_every_subcommand_has_help_naming_its_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    names = [name for name in parser()._subparsers._group_actions[0].choices]  # type: ignore[union-attr]
    assert names == ["init", "new", "check", "build", "publish", "serve", "export", "verify", "container",
                     "import"]
    assert len(names) == len(SUBCOMMANDS) + 1  # the build module adds build and publish
    for name in names:
        with pytest.raises(SystemExit) as stopped:
            main([name, "--help"])
        assert stopped.value.code == 0
        assert "Exit codes:" in capsys.readouterr().out, name


@pytest.mark.parametrize(("command", "needs"), [
    (["new", "slow-boot", "--component", "c", "--kind", "known-issue"], "relnotes.toml or conf.py"),
    (["check"], "relnotes.toml or conf.py"),
    (["build"], "conf.py"),
    (["publish"], "conf.py"),
    (["serve"], "conf.py"),
    (["verify"], "relnotes.toml or conf.py"),
], ids=lambda value: value[0] if isinstance(value, list) else "")
def test_a_command_outside_a_site_says_so_in_one_line_and_writes_nothing(
        tmp_path: Path, command: list[str], needs: str) -> None:
    done = subprocess.run([sys.executable, "-m", "relnotes.cli", *command], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(EXT)})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        f"error: {tmp_path} is not a relnotes site (it has no {needs}): make one with "
        "`relnotes init DIR`, or name it with `relnotes --site DIR ...`"]
    assert list(tmp_path.iterdir()) == []
