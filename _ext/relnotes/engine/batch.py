"""Several container commands in one ``podman exec``, each keeping its own exit status and output.

Each exec costs ~0.15 s, so a check writes its files, runs the harness's own commands (setup,
virt-xml-validate) and then at most one published command in a single exec. The harness's
commands run in order until one exits non-zero; their outputs come back framed, one frame per
command. The published command runs last and exactly as it would on its own: exec'd by the
shell (so it is the exec's process, and the harness's timeout kills it), stdin from /dev/null,
its own stdout, stderr and exit status. It runs only if every command before it succeeded.
"""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from relnotes.engine.daemon import Daemon

_READY = b"relnotes-batch: ready\n"  # everything written; the frames follow
_FRAME = re.compile(rb"relnotes-batch: (\d+) (\d+) (\d+) (\d+)\n")
_HARNESS_FAILED = 125
_EOF = "RELNOTES_EOF"  # ends each here-document; base64 text never contains "_"


@dataclass(frozen=True)
class File:
    """A file to create or replace before the commands run (parents created)."""

    path: str
    data: bytes = b""
    mode: int = 0o644
    link: str | None = None  # a symbolic link to this instead of data (``ln -sf``)


@dataclass(frozen=True)
class Command:
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)  # added to the exec's environment
    cwd: str | None = None
    label: str | None = None  # how logs show it, when argv wraps it (e.g. in a user switch)

    def __str__(self) -> str:
        shown = self.label if self.label is not None else shlex.join(self.argv)
        return shown + (f"  (in {self.cwd})" if self.cwd else "")


@dataclass(frozen=True)
class Ran:
    command: Command
    returncode: int
    stdout: str
    stderr: str


class BatchError(RuntimeError):
    """The harness's part of a batch failed (a file could not be written, garbled frames)."""


def _write(file: File) -> str:
    path = shlex.quote(file.path)
    parent = shlex.quote(file.path.rsplit("/", 1)[0] or "/")
    failed = f"|| fail {shlex.quote('could not write ' + file.path)}"
    if file.link is not None:
        return f"mkdir -p {parent} && ln -sf {shlex.quote(file.link)} {path} {failed}\n"
    # cat-like semantics (as the harness's write_file): an existing symlink is written through
    encoded = base64.encodebytes(file.data).decode("ascii")
    return (f"mkdir -p {parent} && base64 -d > {path} <<'{_EOF}' && chmod {file.mode:o} {path} "
            f"{failed}\n{encoded}{_EOF}\n")


def _invocation(command: Command, argv: str) -> str:
    env = " ".join(shlex.quote(f"{k}={v}") for k, v in command.env.items())
    run = f"exec env -- {env} {argv}" if env else f"exec {argv}"
    return f"cd {shlex.quote(command.cwd)} && {run}" if command.cwd else run


def script(files: Sequence[File], commands: Sequence[Command], final: Command | None) -> str:
    """The shell script (read by ``sh -s``; the final command's argv is its "$@")."""
    lines = [f'fail() {{ echo "relnotes-batch: $*" >&2; exit {_HARNESS_FAILED}; }}\n']
    lines += [_write(file) for file in files]
    lines.append('t=$(mktemp -d) || fail "no temporary directory"\n'
                 f"printf '%s' {shlex.quote(_READY.decode())}\n")
    for index, command in enumerate(commands):
        argv = " ".join(shlex.quote(arg) for arg in command.argv)
        lines.append(
            f'({_invocation(command, argv)}) </dev/null >"$t/o" 2>"$t/e"; c=$?\n'
            f"printf 'relnotes-batch: %s %s %s %s\\n' {index} \"$c\" "
            '"$(wc -c <"$t/o")" "$(wc -c <"$t/e")"\n'
            'cat "$t/o" "$t/e"\n'
            '[ "$c" -eq 0 ] || { rm -rf "$t"; exit 0; }\n')
    lines.append('rm -rf "$t"\n')
    if final is not None:
        lines.append(_invocation(final, '"$@"') + " </dev/null\n")
    return "".join(lines)


def run_batch(daemon: Daemon, *, files: Sequence[File] = (), commands: Sequence[Command] = (),
              final: Command | None = None, timeout: float) -> tuple[list[Ran], Ran | None]:
    """Write ``files``, run ``commands`` until one fails, then ``final`` if none did.

    Returns the commands that ran (the last one failed if fewer than all ran) and the final
    command's result (None when it did not run). A timeout raises the harness's
    ExecTimeoutError, as a single exec would.
    """
    text = script(files, commands, final)
    argv = ["sh", "-s", "--", *(final.argv if final else ())]
    result = daemon.exec(argv, input=text.encode(), timeout=timeout)
    out, err = result.stdout, result.stderr.decode(errors="replace")
    if not out.startswith(_READY):
        raise BatchError(f"writing files inside the container failed (exit {result.returncode}):"
                         f" {err.strip()}")
    position, ran = len(_READY), []
    for index, command in enumerate(commands):
        frame = _FRAME.match(out, position)
        if frame is None or int(frame[1]) != index:
            raise BatchError(f"no result for {command} in the batch's output: "
                             f"{out[position:position + 200]!r} {err.strip()}")
        code, out_size, err_size = (int(n) for n in frame.groups()[1:])
        start = frame.end()
        ran.append(Ran(command, code,
                       out[start:start + out_size].decode(errors="replace"),
                       out[start + out_size:start + out_size + err_size].decode(errors="replace")))
        position = start + out_size + err_size
        if code != 0:
            return ran, None
    if final is None:
        return ran, None
    return ran, Ran(final, result.returncode, out[position:].decode(errors="replace"), err)
