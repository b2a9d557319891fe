"""A note's body from its text: paragraphs, lists, numbered steps and the snippets under them.

Shared by both sources: a bullet of a published section and a bug's Doc Text have the same
shapes (steps numbered "1.", commands or file contents indented under a step, prose ending
with ":" before a block shown at the text's own level).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from relnotes.importing.document import Block, BulletList, Paragraph, SnippetUse, Step, Steps
from relnotes.importing.snippets import extract, unique_names

Line = tuple[int, str]  # (line number in the input, text as in the input)

_STEP = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
_BULLET = re.compile(r"^[•*-]\s+(\S.*)$")
# Prose between blocks under a step: "and replace:", "with:".
_LEAD_IN = re.compile(r"^[A-Za-z][A-Za-z ,'()-]*:$")
# A log line the page shows as printed ("WARNING: ...", "ERROR: ...").
_OUTPUT = re.compile(r"^[A-Z][A-Z_]{2,}:\s")
_SENTENCE_END = (".", ":", ")", "?", "!", ";")
BZ_REFERENCE = re.compile(r"\bBZ\s?#\s?(\d{1,9})\b")


def indent_of(text: str) -> int:
    return len(text) - len(text.lstrip(" \t\xa0"))


def parse_body(lines: Sequence[Line], base: int, *, line_paragraphs: bool) -> tuple[Block, ...]:
    """Blocks of a note whose own text starts at column ``base``.

    ``line_paragraphs``: every line is a paragraph (text copied from a rendered page); else
    paragraphs are separated by blank lines and their lines joined (a tracker's text field).
    """
    return unique_snippets(_Parser(lines, base, line_paragraphs).blocks())


def unique_snippets(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """The same text shown twice is one file; different texts never share a name."""
    uses = [block.snippet for block in _snippet_uses(blocks)]
    renamed = iter(unique_names(uses))

    def rename(block: Paragraph | SnippetUse) -> Paragraph | SnippetUse:
        return SnippetUse(next(renamed)) if isinstance(block, SnippetUse) else block

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, SnippetUse):
            out.append(SnippetUse(next(renamed)))
        elif isinstance(block, Steps):
            out.append(Steps(tuple(Step(step.text, tuple(rename(b) for b in step.blocks))
                                   for step in block.items)))
        else:
            out.append(block)
    return tuple(out)


def _snippet_uses(blocks: Sequence[Block]) -> list[SnippetUse]:
    found: list[SnippetUse] = []
    for block in blocks:
        if isinstance(block, SnippetUse):
            found.append(block)
        elif isinstance(block, Steps):
            found.extend(b for step in block.items for b in step.blocks if isinstance(b, SnippetUse))
    return found


class _Parser:
    def __init__(self, lines: Sequence[Line], base: int, line_paragraphs: bool) -> None:
        self.lines = lines
        self.base = base
        self.line_paragraphs = line_paragraphs
        self.out: list[Block] = []
        self.prose: list[str] = []
        self.index = 0

    def blocks(self) -> list[Block]:
        while self.index < len(self.lines):
            raw = self.lines[self.index][1]
            text = raw.strip()
            if not text:
                self.flush()
                self.index += 1
                continue
            if indent_of(raw) > self.base:
                self.flush()
                self.out.extend(_indented(self.take_deeper()))
                continue
            step = _STEP.match(text)
            bullet = _BULLET.match(text)
            if step:
                self.flush()
                self.index += 1
                self.add_step(int(step.group(1)), step.group(2), self.take_deeper())
            elif bullet:
                self.flush()
                self.add_item(bullet.group(1))
                self.index += 1
            elif self.after_lead_in() and not text.endswith(_SENTENCE_END):
                self.flush()
                self.out.extend(self.shown_block())
            else:
                self.prose.append(text)
                if self.line_paragraphs:
                    self.flush()
                self.index += 1
        self.flush()
        return self.out

    def flush(self) -> None:
        if self.prose:
            self.out.append(Paragraph(" ".join(self.prose)))
            self.prose = []

    def after_lead_in(self) -> bool:
        last = self.prose[-1] if self.prose else (
            self.out[-1].text if self.out and isinstance(self.out[-1], Paragraph) else "")
        # "...as follows:" introduces a block; markup such as ":::" or "::" does not.
        return bool(re.search(r"[A-Za-z0-9)]:$", last))

    def take_deeper(self) -> list[Line]:
        """The lines indented under the current one (blank lines included, trailing ones not)."""
        taken: list[Line] = []
        while self.index < len(self.lines):
            raw = self.lines[self.index][1]
            if raw.strip() and indent_of(raw) <= self.base:
                break
            taken.append(self.lines[self.index])
            self.index += 1
        while taken and not taken[-1][1].strip():
            taken.pop()
        return taken

    def shown_block(self) -> list[Block]:
        """A block shown at the text's own level after a lead-in: up to the next sentence."""
        taken: list[Line] = []
        while self.index < len(self.lines):
            raw = self.lines[self.index][1]
            text = raw.strip()
            if taken and text and indent_of(raw) <= self.base and (
                    text.endswith(_SENTENCE_END) or _STEP.match(text) or _BULLET.match(text)):
                break
            taken.append(self.lines[self.index])
            self.index += 1
        output = bool(_OUTPUT.match(taken[0][1].strip()))
        snippet = extract([raw for _, raw in taken], taken[0][0], output=output)
        return [SnippetUse(snippet)] if snippet else []

    def add_step(self, number: int, text: str, under: list[Line]) -> None:
        step = Step(text, tuple(_indented(under)))
        last = self.out[-1] if self.out else None
        if isinstance(last, Steps) and number != 1:
            self.out[-1] = Steps((*last.items, step))
        else:
            self.out.append(Steps((step,)))

    def add_item(self, text: str) -> None:
        last = self.out[-1] if self.out else None
        if isinstance(last, BulletList):
            self.out[-1] = BulletList((*last.items, text))
        else:
            self.out.append(BulletList((text,)))


def _indented(lines: Sequence[Line]) -> list[Paragraph | SnippetUse]:
    """Blocks shown indented under a step: snippets, separated by short lead-ins."""
    blocks: list[Paragraph | SnippetUse] = []
    chunk: list[Line] = []

    def close() -> None:
        if chunk:
            snippet = extract([raw for _, raw in chunk], chunk[0][0])
            if snippet is not None:
                blocks.append(SnippetUse(snippet))
            chunk.clear()

    for number, raw in lines:
        if _LEAD_IN.match(raw.strip()):
            close()
            blocks.append(Paragraph(raw.strip()))
        else:
            chunk.append((number, raw))
    close()
    return blocks


def bz_numbers(texts: Sequence[str]) -> tuple[int, ...]:
    """Every ``BZ#NNNNNN`` cited, in order, each once."""
    found: dict[int, None] = {}
    for text in texts:
        for match in BZ_REFERENCE.finditer(text):
            found.setdefault(int(match.group(1)), None)
    return tuple(found)


def first_sentence(text: str) -> str:
    """A title from prose: its first sentence, without BZ references or a final colon/period."""
    text = BZ_REFERENCE.sub("", text)
    text = re.sub(r"\(\s*\)", "", text)
    match = re.search(r"(?<=[a-z0-9)\]'\"])[.!?](?=\s+[A-Z(])", text)
    sentence = text[: match.start()] if match else text
    sentence = re.sub(r"\s+", " ", sentence).strip().rstrip(".:;,").strip()
    return sentence
