"""MyST pages read without Sphinx: the directives and roles a page uses, each with its line.

markdown-it-py (the parser MyST itself is built on) finds the fences, so code blocks, lists and
nesting are understood as the build understands them; a directive whose body is Markdown
(admonitions, tabs) is read again for the directives inside it, with its line offset kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

_DIRECTIVE = re.compile(r"^\{([^}\s]+)\}\s*(.*)$")
_OPTION = re.compile(r"^:([\w][\w-]*):(?:\s+(.*))?$")
_YAML_OPTION = re.compile(r"^([\w][\w-]*):(?:\s+(.*))?$")
# Sphinx's "Title <target>" form of a cross-reference.
_EXPLICIT = re.compile(r"^(.+?)\s*<(.*?)>$", re.DOTALL)

#: The largest page read, by the build and by ``relnotes check``: far above any real page (a
#: few hundred KiB); a bigger one is a mistake or an attack.
PAGE_SIZE_LIMIT = 16 * 2**20

#: Directives whose body is not Markdown: nothing inside them is a directive or a role.
LITERAL_BODIES = frozenset({
    "code", "code-block", "sourcecode", "code-cell", "literalinclude", "math", "raw",
    "eval-rst", "csv-table", "graphviz", "mermaid", "parsed-literal", "rn:output",
})
#: Directives that show code readers could copy (beside plain and indented code blocks).
CODE_DIRECTIVES = frozenset({"code", "code-block", "sourcecode", "code-cell", "literalinclude",
                             "parsed-literal"})
#: Why an issue page may not show such code, and what to write instead (build and lint).
CODE_BLOCK_MESSAGE = ("a code block on an issue page must be a snippet ({rn:snippet}), so "
                      "that it is verified; quoted output or an error message is written as "
                      "{rn:output} output (or error message) with a :reason:")


@dataclass(frozen=True)
class Directive:
    """A ``{name} argument`` fence: its options (with their lines) and its body."""

    name: str
    argument: str
    line: int  # of the opening fence, 1-based, as Sphinx reports it
    options: dict[str, str] = field(default_factory=dict)
    option_lines: dict[str, int] = field(default_factory=dict)
    body: tuple[str, ...] = ()
    body_line: int = 0  # of the body's first line
    end_line: int = 0  # of its last line (the closing fence, when there is one)


@dataclass(frozen=True)
class Role:
    """A ``{name}`text``` role; ``target`` is the text, or the part in ``<...>``."""

    name: str
    target: str
    line: int
    linked: bool = True  # False for Sphinx's "!target": shown, never resolved


@dataclass(frozen=True)
class Link:
    """A Markdown image (``image``) or link (``link``) and its target, as written."""

    kind: str
    target: str
    line: int


@dataclass(frozen=True)
class Heading:
    """A heading of the page itself (not one inside a directive), and whether anything but
    comments and targets follows it before the next heading of its level or above."""

    level: int
    text: str
    line: int
    has_content: bool


@dataclass
class Page:
    directives: list[Directive] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    code_blocks: list[int] = field(default_factory=list)  # line of each code a reader may copy
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)


#: Top-level tokens that are not a section's content: MyST's ``%`` comments and ``(label)=``.
_NOT_CONTENT = frozenset({"myst_line_comment", "myst_target"})


@cache
def _parser() -> MarkdownIt:
    # The syntax MyST always has (tables included), plus colon fences (an extension sites
    # commonly enable).
    return (MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
            .use(myst_block_plugin).use(myst_role_plugin).use(colon_fence_plugin))


def read_page(text: str) -> Page:
    tokens = _parser().parse(text)
    page = Page(headings=_headings(tokens))
    _scan(tokens, 0, page)
    return page


def _headings(tokens: list[Token]) -> list[Heading]:
    found = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or token.map is None:
            continue
        level = int(token.tag[1:])
        has_content = False
        for later in tokens[index + 3:]:  # after the heading's inline text and its close
            if later.type == "heading_open" and int(later.tag[1:]) <= level:
                break
            if later.level == 0 and later.type not in _NOT_CONTENT and not (
                    later.type == "html_block" and later.content.lstrip().startswith("<!--")):
                has_content = True
                break
        found.append(Heading(level, tokens[index + 1].content, token.map[0] + 1, has_content))
    return found


def _scan(tokens: list[Token], offset: int, page: Page) -> None:
    for token in tokens:
        if token.type in ("fence", "colon_fence") and token.map is not None:
            directive = _directive(token, offset)
            if directive is None:
                if token.type == "fence":  # a plain ```xml or ```console block
                    page.code_blocks.append(offset + token.map[0] + 1)
                continue
            page.directives.append(directive)
            if directive.name in CODE_DIRECTIVES:
                page.code_blocks.append(directive.line)
            if directive.name not in LITERAL_BODIES and directive.body:
                _scan(_parser().parse("\n".join(directive.body) + "\n"), directive.body_line - 1,
                      page)
        elif token.type == "code_block" and token.map is not None:  # indented
            page.code_blocks.append(offset + token.map[0] + 1)
        elif token.type == "inline" and token.map is not None:
            page.roles.extend(_roles(token, offset))
            page.links.extend(_links(token, offset))


def _directive(token: Token, offset: int) -> Directive | None:
    match = _DIRECTIVE.match(token.info.strip())
    if match is None:
        return None
    assert token.map is not None
    line = offset + token.map[0] + 1
    lines = token.content.splitlines()
    options: dict[str, str] = {}
    option_lines: dict[str, int] = {}
    index = 0
    if lines and lines[0].strip() == "---":
        # MyST's YAML block of options: "key: value" lines up to the next "---".
        index = 1
        while index < len(lines) and lines[index].strip() != "---":
            found = _YAML_OPTION.match(lines[index].strip())
            if found:
                options[found.group(1)] = (found.group(2) or "").strip()
                option_lines[found.group(1)] = line + 1 + index
            index += 1
        index += 1
    else:
        while index < len(lines) and (found := _OPTION.match(lines[index])):
            options[found.group(1)] = (found.group(2) or "").strip()
            option_lines[found.group(1)] = line + 1 + index
            index += 1
    body = lines[index:]
    while body and not body[0].strip():
        body = body[1:]
        index += 1
    return Directive(match.group(1), match.group(2).strip(), line, options, option_lines,
                     tuple(body), line + 1 + index, offset + token.map[1])


def _roles(token: Token, offset: int) -> Iterator[Role]:
    assert token.map is not None
    line = offset + token.map[0] + 1
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "myst_role":
            yield _role(str(child.meta.get("name", "")), child.content, line)
        line += child.content.count("\n") if child.type == "myst_role" else 0


def _links(token: Token, offset: int) -> Iterator[Link]:
    assert token.map is not None
    line = offset + token.map[0] + 1
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "image":
            yield Link("image", str(child.attrs.get("src", "")), line)
        elif child.type == "link_open":
            yield Link("link", str(child.attrs.get("href", "")), line)
        elif child.type == "myst_role":
            line += child.content.count("\n")


def _role(name: str, text: str, line: int) -> Role:
    explicit = _EXPLICIT.match(text)
    target = explicit.group(2) if explicit else text
    linked = not target.startswith("!")
    return Role(name, target.lstrip("!~").strip(), line, linked)


def toctree_entries(directive: Directive) -> list[str]:
    """The document entries of a toctree (titles dropped; URLs and ``self`` kept as written)."""
    entries = []
    for raw in directive.body:
        entry = raw.strip()
        if not entry:
            continue
        explicit = _EXPLICIT.match(entry)
        entries.append(explicit.group(2) if explicit else entry)
    return entries
