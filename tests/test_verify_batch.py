"""Batched container commands: each keeps its own exit status and output; a failure stops the rest.

The batch script is plain POSIX sh, so these tests run it with the host's sh on fixed, harmless
commands (snippets themselves only ever run inside the container).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from relnotes.engine.batch import BatchError, Command, File, run_batch


class LocalShell:
    """Runs the batch where the test runs; enough of a Daemon for run_batch."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def exec(self, argv: list[str], *, input: bytes | None = None, timeout: float,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        self.calls.append(argv)
        return subprocess.run(argv, input=input, capture_output=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, check=False)


def test_files_commands_and_final_in_one_exec(tmp_path: Path) -> None:
    shell = LocalShell()
    script = tmp_path / "work" / "01-step.sh"
    files = [File(str(tmp_path / "work/data.bin"), bytes(range(256))),
             File(str(script), b"echo out; echo err >&2; pwd; echo \"$GUEST\"; exit 3\n", 0o755),
             File(str(tmp_path / "work/bin/vi"), link=str(script))]
    ran, final = run_batch(shell, files=files, commands=[
        Command(("sh", "-c", "echo one; echo two >&2")),
        Command(("sh", "-c", "printf 'relnotes-batch: 0 0 0 0\\n'")),  # looks like a frame
    ], final=Command(("sh", "-e", str(script)), {"GUEST": "g 1"}, str(tmp_path / "work")),
        timeout=30)
    assert len(shell.calls) == 1
    assert (tmp_path / "work/data.bin").read_bytes() == bytes(range(256))
    assert script.stat().st_mode & 0o777 == 0o755
    assert os.readlink(tmp_path / "work/bin/vi") == str(script)
    assert [(r.returncode, r.stdout, r.stderr) for r in ran] == [
        (0, "one\n", "two\n"), (0, "relnotes-batch: 0 0 0 0\n", "")]
    assert final is not None
    assert (final.returncode, final.stderr) == (3, "err\n")
    assert final.stdout == f"out\n{tmp_path / 'work'}\ng 1\n"


def test_a_failing_command_stops_the_batch(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    ran, final = run_batch(LocalShell(), commands=[
        Command(("sh", "-c", "echo setting up")),
        Command(("sh", "-c", "echo no such image >&2; exit 4")),
        Command(("touch", str(marker))),
    ], final=Command(("touch", str(marker))), timeout=30)
    assert [(r.returncode, r.stdout, r.stderr) for r in ran] == [
        (0, "setting up\n", ""), (4, "", "no such image\n")]
    assert final is None and not marker.exists()


def test_commands_get_no_stdin_and_only_their_own_environment(tmp_path: Path) -> None:
    ran, final = run_batch(LocalShell(), files=[File(str(tmp_path / "f"), b"x")], commands=[
        Command(("sh", "-c", 'cat; echo "[${GUEST-unset}]"')),
    ], final=Command(("sh", "-c", 'cat; echo "[$GUEST]"'), {"GUEST": "g"}), timeout=30)
    assert ran[0].stdout == "[unset]\n"
    assert final is not None and final.stdout == "[g]\n"


def test_a_file_that_cannot_be_written_is_a_harness_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a directory")
    marker = tmp_path / "ran"
    with pytest.raises(BatchError, match=r"could not write .*plain/x"):
        run_batch(LocalShell(), files=[File(str(tmp_path / "plain/x"), b"data")],
                  final=Command(("touch", str(marker))), timeout=30)
    assert not marker.exists()
