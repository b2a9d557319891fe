"""Snippet extraction: what a reader types or saves, from a block of text indented on a page.

Readers copy these bytes, so extraction only takes away what the page added: its
indentation, shell prompts (not part of the command) and, for a ``cat FILE`` listing, the
command that showed the file. Everything else, tabs, trailing spaces and the final newline
included, is kept.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from relnotes.core.spec import SPEC_SUFFIX, SnippetKind

# "~]$ ", "~]# " as the vendor prints them (often with a no-break space after), or a bare
# "# " / "$ " at the start of a command. \s matches the no-break space.
PROMPT = re.compile(r"^(?:~\][$#]|[$#])\s")
_CAT = re.compile(r"^cat\s+(\S+)\s*$")
_NAME_PART = re.compile(r"[^a-z0-9]+")
_XML_TAG = re.compile(r"<([A-Za-z][\w.:-]*)([^<>]*?)/?>([^<]*)")
_XML_VALUE = re.compile(r"""=\s*(?:'([^']*)'|"([^"]*)")""")
_MAX_NAME_WORDS = 3


class Form(enum.Enum):
    """What an extracted block is, as a reader sees it."""

    XML = "XML fragment"
    DOMAIN_XML = "domain XML"
    VIRSH = "virsh commands"
    SHELL = "shell commands"
    FILE = "file listing"
    OUTPUT = "command output"

    @property
    def spec_kind(self) -> SnippetKind:
        """The check spec kind a person writing the check starts from."""
        return _SPEC_KIND[self]


_SPEC_KIND = {
    Form.XML: SnippetKind.XML_FRAGMENT,
    Form.DOMAIN_XML: SnippetKind.DOMAIN_XML,
    Form.VIRSH: SnippetKind.VIRSH,
    Form.SHELL: SnippetKind.SHELL,
    Form.FILE: SnippetKind.SHELL,
    Form.OUTPUT: SnippetKind.CONSOLE,
}


@dataclass(frozen=True)
class Snippet:
    """An extracted snippet: its content-derived file name, form and exact text."""

    name: str
    form: Form
    text: str
    line: int  # where it starts in the input, for messages and the stub


def dedent(lines: Sequence[str], indent: int) -> list[str]:
    """Remove the page's indentation (``indent`` leading whitespace characters) only."""
    out = []
    for line in lines:
        width = len(line) - len(line.lstrip(" \t\xa0"))
        out.append(line[min(width, indent):])
    return out


def page_indent(lines: Sequence[str]) -> int:
    widths = [len(line) - len(line.lstrip(" \t\xa0")) for line in lines if line.strip()]
    return min(widths) if widths else 0


def extract(lines: Sequence[str], line: int, *, output: bool = False) -> Snippet | None:
    """The snippet in ``lines`` (indented as on the page), or None if there is no content.

    ``output`` says the block is what a command printed (not something to type).
    """
    body = dedent(lines, page_indent(lines))
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
        line += 1
    if not body:
        return None
    first = body[0]
    if not output and PROMPT.match(first):
        command = PROMPT.sub("", first, count=1)
        listing = _CAT.match(command)
        if listing and len(body) > 1:
            path = listing.group(1)
            return Snippet(_file_name(path), Form.FILE, _text(body[1:]), line)
        body = [PROMPT.sub("", item, count=1) for item in body]
    text = _text(body)
    form = detect_form(body, output=output)
    return Snippet(name_for(form, body), form, text, line)


def _text(lines: Sequence[str]) -> str:
    return "".join(item + "\n" for item in lines)


def detect_form(lines: Sequence[str], *, output: bool = False) -> Form:
    content = [item.strip() for item in lines if item.strip()]
    if output:
        return Form.OUTPUT
    if content[0].startswith("<"):
        return Form.DOMAIN_XML if re.match(r"<domain[\s>]", content[0]) else Form.XML
    if all(item.startswith("virsh ") or item == "virsh" for item in content):
        return Form.VIRSH
    return Form.SHELL


def name_for(form: Form, lines: Sequence[str]) -> str:
    """A file name that says what the snippet is, from its content (stable across imports)."""
    content = [item.strip() for item in lines if item.strip()]
    if form in (Form.XML, Form.DOMAIN_XML):
        return _slug_words(_xml_words("\n".join(content)), "fragment") + ".xml"
    if form is Form.VIRSH:
        words = [item.split()[1] for item in content if len(item.split()) > 1]
        return _slug_words(["virsh", *words], "virsh") + ".virsh"
    if form is Form.OUTPUT:
        return _slug_words([*content[0].split()[:1], "output"], "output") + ".console"
    words = [item.split()[0].rsplit("/", 1)[-1] for item in content
             if not item.startswith("#") and item.split()]
    return _slug_words(words, "commands") + ".sh"


def _xml_words(text: str) -> list[str]:
    """The root element's name, then the values the fragment sets (paths by their file name)."""
    words: list[str] = []
    for tag, attributes, content in _XML_TAG.findall(text):
        if not words:
            words.append(tag)
        for single, double in _XML_VALUE.findall(attributes):
            words.append(single or double)
        if content.strip() and content.strip() != "...":
            words.append(content.strip())
    return [word.rstrip("/").rsplit("/", 1)[-1] for word in words]


def _slug_words(words: Sequence[str], fallback: str) -> str:
    parts: list[str] = []
    for word in words:
        slug = _NAME_PART.sub("-", word.lower()).strip("-")
        if slug and slug not in parts:
            parts.append(slug)
        if len(parts) == _MAX_NAME_WORDS:
            break
    return "-".join(parts)[:60].strip("-") or fallback


def _file_name(path: str) -> str:
    """The listed file's name, made safe: no separators, not hidden or harness material
    ("." or "_" first), and never mistaken for a check spec."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")
    if safe.endswith(SPEC_SUFFIX):
        safe = safe.removesuffix(SPEC_SUFFIX) + "-check.toml"
    return safe or "file"


def unique_names(snippets: Sequence[Snippet]) -> list[Snippet]:
    """One snippet per distinct text; names made unique within an issue ("-2", "-3", ...).

    A block printed twice (the same XML in two procedures) is one file used twice.
    """
    by_text: dict[str, Snippet] = {}
    taken: set[str] = set()
    out: list[Snippet] = []
    for snippet in snippets:
        if snippet.text in by_text:
            out.append(by_text[snippet.text])
            continue
        name = snippet.name
        stem, dot, suffix = name.partition(".")
        number = 2
        while name in taken:
            name = f"{stem}-{number}{dot}{suffix}"
            number += 1
        taken.add(name)
        unique = Snippet(name, snippet.form, snippet.text, snippet.line)
        by_text[snippet.text] = unique
        out.append(unique)
    return out
