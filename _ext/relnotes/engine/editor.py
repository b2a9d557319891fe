"""The scripted editor: EDITOR for `virsh edit` and `vi` on PATH, applying a check's stated edit."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass

from relnotes.core.spec import Edit
from relnotes.engine.batch import File

_SCRIPT = """#!/bin/sh
# Scripted editor (EDITOR for virsh edit, vi for files): applies the edit stated in the
# check spec, after making sure it was offered exactly the text the edit was prepared from.
[ "$#" -eq 1 ] || {{ echo "editor: expected one file, got: $*" >&2; exit 2; }}
{file_check}
cmp -s {offered} "$1" || {{ echo "editor: offered text differs from what the edit expects:" >&2;
  diff {offered} "$1" >&2; exit 1; }}
cat {new} > "$1"
"""


@dataclass(frozen=True)
class Editor:
    """What a step needs to run with the scripted editor."""

    env: dict[str, str]  # EDITOR and VISUAL
    files: list[File]  # offered text, edited text, the editor, vi (a link to it)

    @property
    def edited_path(self) -> str:
        return self.files[1].path


def scripted_editor(edit: Edit, offered: str, new: str, next_path: Callable[[str], str],
                    bin_dir: str) -> Editor:
    """An editor that turns exactly ``offered`` into ``new``; files named by ``next_path``."""
    offered_path, new_path = next_path("offered.xml"), next_path("edited.xml")
    file_check = (f'[ "$1" = {shlex.quote(edit.file)} ] || {{ echo "editor: expected '
                  f'{edit.file}, got $1" >&2; exit 2; }}') if edit.file else ""
    editor = next_path("editor")
    script = _SCRIPT.format(file_check=file_check, offered=offered_path, new=new_path)
    return Editor({"EDITOR": editor, "VISUAL": editor}, [
        File(offered_path, offered.encode()), File(new_path, new.encode()),
        File(editor, script.encode(), 0o755), File(f"{bin_dir}/vi", link=editor),
    ])
