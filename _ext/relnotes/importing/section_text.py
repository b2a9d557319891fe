"""The published form: one Technical Notes section as a reader copies it from the portal.

An optional banner, a numbered heading ("2.21. kvm"), an introduction, then one bullet (•)
per issue. What follows the last bullet at the page's left margin is the portal's footer.
"""

from __future__ import annotations

import re

from relnotes.core.model import Kind
from relnotes.importing.body import Line, bz_numbers, first_sentence, indent_of, parse_body
from relnotes.importing.document import BadInput, Imported, Note, check_component
from relnotes.importing.inputs import decode, split_lines

_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+(\S.*)$")
_BULLET = "•"


def parse_section(data: bytes, where: str, component: str, release: str | None) -> Imported:
    check_component(component, "--component")
    lines = split_lines(decode(data, where))
    heading = _find_heading(lines, where)
    bullets: list[list[Line]] = []
    intro: list[str] = []
    bullet_indent: int | None = None
    end = len(lines)
    for index in range(heading + 1, len(lines)):
        raw = lines[index]
        text = raw.strip()
        if not text:
            if bullets:
                bullets[-1].append((index + 1, raw))
            continue
        indent = indent_of(raw)
        if text.startswith(_BULLET) and (bullet_indent is None or indent == bullet_indent):
            bullet_indent = indent
            # The bullet's own text, at the column its continuation lines use.
            body = text[1:].lstrip(" \t\xa0")
            bullets.append([(index + 1, " " * _text_column(raw) + body)])
        elif bullet_indent is None:
            intro.append(text)
        elif indent <= bullet_indent:
            end = index  # the portal's footer: nothing of the section is left of the bullets
            break
        else:
            bullets[-1].append((index + 1, raw))
    if not bullets:
        raise BadInput(where, f"no bullet (•) after the heading at line {heading + 1}",
                           min(end, len(lines)))
    result = Imported()
    result.component_intro[component] = tuple(intro)
    for bullet in bullets:
        result.notes.append(_note(bullet, component, release))
    if end < len(lines) and any(line.strip() for line in lines[end:]):
        result.skipped.append(f"{where}:{end + 1}: text after the last bullet ignored "
                              "(the page's footer)")
    return result


def _text_column(raw: str) -> int:
    """Column of a bullet's text: continuation lines are indented to it (2 + "• ")."""
    indent = indent_of(raw)
    rest = raw[indent + 1:]
    return indent + 1 + (len(rest) - len(rest.lstrip(" \t\xa0")))


def _find_heading(lines: list[str], where: str) -> int:
    for index, raw in enumerate(lines):
        text = raw.strip()
        if not text:
            continue
        if text.startswith(_BULLET):
            raise BadInput(where, "a bullet before any numbered heading such as '2.21. kvm'",
                               index + 1)
        if _HEADING.match(text):
            return index
    raise BadInput(where, "no numbered section heading such as '2.21. kvm'", 1)


def _note(lines: list[Line], component: str, release: str | None) -> Note:
    first_line, first = lines[0]
    base = indent_of(first)
    body = parse_body(lines, base, line_paragraphs=True)
    texts = [raw for _, raw in lines]
    title = first_sentence(first.strip()) or f"Issue at line {first_line}"
    joined = " ".join(text.strip() for text in texts)
    kind = Kind.TECHNOLOGY_PREVIEW if "Technology Preview" in joined else Kind.KNOWN_ISSUE
    bz = bz_numbers(texts)
    # The first BZ number it cites identifies a bullet across editions of the page; a
    # bullet citing none is known by its title.
    key = f"text:{component}:" + (f"bz{bz[0]}" if bz else title.lower())
    return Note(
        key=key, origin=f"bullet at line {first_line}",
        title=title, component=component, releases=(release or "unspecified",), kind=kind,
        bz=bz, body=body, id_hint=title,
    )
