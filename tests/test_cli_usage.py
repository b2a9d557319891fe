"""The ``relnotes`` command: every subcommand has help with its exit codes; misuse exits 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
from relnotes.cli import SUBCOMMANDS, main, parser


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
