"""MyST for imported notes: issue pages, component pages and check stubs.

Imported text is untrusted. MyST passes raw HTML through and runs directives, roles and
substitutions, so every character that could start markup is backslash-escaped (CommonMark
escapes any ASCII punctuation): the page shows the text as it was written, and nothing in it
runs. Snippet bytes never pass through here: they are files the page includes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from relnotes.core.spec import SnippetKind
from relnotes.importing.document import Block, BulletList, Note, Paragraph, SnippetUse
from relnotes.importing.snippets import Snippet

# Markup anywhere in a line: escapes, code spans and fences, emphasis, roles and
# substitutions ({...}), links and images ([...], !), raw HTML and autolinks (<...>),
# entities (&), math ($), strikethrough (~), tables (|), and heading closers (#).
_INLINE = frozenset("\\`*_{}[]<>#!|~$&")
_ESCAPES = str.maketrans({char: "\\" + char for char in _INLINE})
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PENDING = "no check written yet"


def escape(text: str) -> str:
    """``text`` as one line of MyST that renders as exactly this text (whitespace collapsed)."""
    text = re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()
    escaped = text.translate(_ESCAPES)
    # What a line may start with: "#", ">", "-", "+", "=", ":" (fences, fields), "%"
    # (comment), "(" (targets), "|", digits then "." or ")" (ordered lists).
    if escaped and escaped[0] in _PUNCTUATION and not escaped.startswith("\\"):
        escaped = "\\" + escaped
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", escaped)


def issue_page(note: Note, issue_id: str) -> str:
    lines = [
        f"# {escape(note.title)}",
        "",
        f"% Imported from {note.origin} by relnotes import; its text was taken as it was written.",
        "",
        f"```{{rn:issue}} {issue_id}",
        *([f":bz: {', '.join(str(n) for n in note.bz)}"] if note.bz else []),
        *([f":jira: {', '.join(note.jira)}"] if note.jira else []),
        f":component: {note.component}",
        f":releases: {', '.join(note.releases)}",
        f":kind: {note.kind.value}",
        *([f":fixed-in: {note.fixed_in}"] if note.fixed_in else []),
        "```",
        "",
    ]
    prefix = f"{note.component}/{issue_id}"
    for block in note.body:
        lines.extend(_block(block, prefix))
    return "\n".join(lines).rstrip("\n") + "\n"


def _block(block: Block, prefix: str, indent: str = "") -> list[str]:
    if isinstance(block, Paragraph):
        return [indent + escape(block.text), ""]
    if isinstance(block, BulletList):
        return [*(f"{indent}- {escape(item)}" for item in block.items), ""]
    if isinstance(block, SnippetUse):
        return _snippet(block.snippet, prefix, indent)
    lines: list[str] = []
    for number, step in enumerate(block.items, start=1):
        marker = f"{number}. "
        inner = indent + " " * len(marker)
        lines += [f"{indent}{marker}{escape(step.text)}", ""]
        for part in step.blocks:
            lines += _block(part, prefix, inner)
    return lines


def _snippet(snippet: Snippet, prefix: str, indent: str) -> list[str]:
    return [f"{indent}```{{rn:snippet}} {prefix}/{snippet.name}", f"{indent}```", ""]


def component_page(component: str, intro: Iterable[str]) -> str:
    lines = [f"# {escape(component)}", ""]
    for paragraph in intro:
        lines += [escape(paragraph), ""]
    lines += [
        "## Issues", "",
        f"```{{rn:issue-list}} {component}", "```", "",
        "```{toctree}", ":hidden:", ":glob:", "", f"../issues/{component}-*", "```",
    ]
    return "\n".join(lines) + "\n"


def check_stub(snippet: Snippet, origin: str) -> str:
    """A spec that says no check exists yet: never run, never publishable."""
    kind: SnippetKind = snippet.form.spec_kind
    summary = f"{snippet.form.value} imported from {origin} (line {snippet.line})"
    return "\n".join([
        "# Imported: nobody has written this snippet's check yet. Replace `pending` with a",
        "# check (steps, effects, ...) or with a reasoned not_verifiable; until then the site",
        "# shows it as not verified and the publish gate refuses it.",
        f"kind = {json.dumps(kind.value)}",
        f"summary = {json.dumps(summary)}",
        f"pending = {json.dumps(PENDING)}",
        "",
    ])
