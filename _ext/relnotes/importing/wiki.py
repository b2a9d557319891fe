"""Jira's wiki markup in a note's text: ``{code}`` and ``{noformat}`` blocks, lists, inline marks.

A Release Note Text is written in Jira's wiki markup. Its ``{code}`` and ``{noformat}`` blocks
are what readers type or save: their lines are kept exactly (only the markers go). The prose
around them becomes the plain text a reader sees on the ticket ("# step" numbered, ``{{x}}``
and ``*x*`` without their marks, a link as its text and address), which the shared note body
parser reads like a Bugzilla Doc Text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Line = tuple[int, str]

_BLOCK_OPEN = re.compile(r"\{(code|noformat)(?::[^}]*)?\}")
_HEADING = re.compile(r"^h[1-6]\.\s+")
_NUMBERED = re.compile(r"^(#+)\s+(\S.*)$")
_BULLETED = re.compile(r"^([*-]+)\s+(\S.*)$")
_MONOSPACE = re.compile(r"\{\{(.+?)\}\}")
_STRONG = re.compile(r"(?<![\w*])\*(\S(?:[^*\n]*?\S)?)\*(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w_])_(\S(?:[^_\n]*?\S)?)_(?![\w_])")
_LINK = re.compile(r"\[([^\[\]|]+)\|([^\[\]|]+)\]")
_BARE_LINK = re.compile(r"\[((?:https?|mailto):[^\[\]|\s]+)\]")
_COLOR = re.compile(r"\{color(?::[^}]*)?\}")
_ESCAPE = re.compile(r"\\([{}\[\]*_#|\\-])")
_MARKUP = re.compile(r"[{}\[\]*_\\]")


class MarkupError(ValueError):
    """The text's markup cannot be read (an unclosed block); ``line`` is in the text."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Prose:
    lines: tuple[Line, ...]  # as plain text, one reader's line each


@dataclass(frozen=True)
class Code:
    lines: tuple[str, ...]  # exactly as written between the markers
    line: int  # the first content line, in the text
    noformat: bool


Part = Prose | Code


def split_parts(lines: Sequence[str]) -> list[Part]:
    """The text's prose and blocks, in order; raise MarkupError for an unclosed block."""
    parts: list[Part] = []
    prose: list[Line] = []
    counter = _Numbering()
    index = 0
    while index < len(lines):
        raw = lines[index]
        opening = _BLOCK_OPEN.search(raw)
        if opening is None or raw[:opening.start()].strip():
            # A marker after prose on the same line is an inline use: shown as text.
            prose.append((index + 1, counter.plain(raw)))
            index += 1
            continue
        name = opening.group(1)
        closing = "{" + name + "}"
        start_line = index + 1
        content: list[str] = []
        rest = raw[opening.end():]
        end_here = rest.find(closing)
        if end_here >= 0:  # {code}one line{code}
            content.append(rest[:end_here])
            index += 1
        else:
            if rest.strip():
                content.append(rest)
            index += 1
            while index < len(lines) and closing not in lines[index]:
                content.append(lines[index])
                index += 1
            if index == len(lines):
                raise MarkupError(f"{closing} block opened at line {start_line} is never "
                                  "closed", start_line)
            before = lines[index][:lines[index].index(closing)]
            if before.strip():
                content.append(before)
            index += 1
        if prose:
            parts.append(Prose(tuple(prose)))
            prose = []
        parts.append(Code(tuple(content), start_line + (0 if rest.strip() else 1),
                          noformat=name == "noformat"))
    if prose:
        parts.append(Prose(tuple(prose)))
    return parts


class _Numbering:
    """Jira numbers "# item" lines itself; a list goes on across the blocks shown under an
    item and ends at the next line of other prose."""

    def __init__(self) -> None:
        self.number = 0

    def plain(self, raw: str) -> str:
        text = raw.strip()
        numbered = _NUMBERED.match(text)
        if numbered and len(numbered.group(1)) == 1:
            self.number += 1
            return f"{self.number}. {inline_text(numbered.group(2))}"
        bulleted = _BULLETED.match(text)
        if bulleted and set(bulleted.group(1)) <= {"*"} | {"-"} and len(bulleted.group(1)) == 1:
            return f"- {inline_text(bulleted.group(2))}"
        if text:
            self.number = 0
        return inline_text(_HEADING.sub("", raw.rstrip()))


def inline_text(text: str) -> str:
    """What a reader sees of one line of wiki markup: its words without the marks."""
    if not _MARKUP.search(text):
        return text  # most lines have no mark at all
    text = _COLOR.sub("", text)
    text = _MONOSPACE.sub(r"\1", text)
    text = _LINK.sub(lambda m: f"{m.group(1).strip()} ({m.group(2).strip()})", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text)


def continues_numbering(part: Prose) -> bool:
    """Whether the prose goes on with a numbered list begun before a block ("2. ...")."""
    first = next((text for _, text in part.lines if text.strip()), "")
    match = re.match(r"^(\d+)[.)]\s", first.strip())
    return bool(match) and match is not None and match.group(1) != "1"
