"""The site out of Sphinx as text: AsciiDoc per release, and each ticket's Release Note Text.

Two builders read the same resolved doctrees the HTML pages are written from, so an export
says what the site says: ``relnotes-asciidoc`` writes one file per release with a chapter per
release note type (the types' order), each note its title, its text, its snippets as listing
blocks holding the snippet's exact bytes, and its ticket link on a line of its own;
``relnotes-jira-text`` writes each ticket's Release Note Text in Jira's wiki markup, with a
"Verified on libvirt ..." line from the ledger. What only the site shows (badges, metadata,
related issues) is left out. The publish gate runs at the end of these builds as of any
(``relnotes export`` turns it on): a refused export writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.locale import get_translation

from relnotes.core.ledger import Status
from relnotes.core.model import Issue
from relnotes.core.releases import release_notes
from relnotes.sphinxext.compatibility import (
    current_ledger_or_empty,
    ordered_targets,
    versions_text,
)
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import MESSAGE_CATALOG, kind_heading
from relnotes.sphinxext.output import write_if_changed
from relnotes.sphinxext.verification import views_by_snippet
from relnotes.sphinxext.versions import target_versions

_ = get_translation(MESSAGE_CATALOG)
_ATTRIBUTE = re.compile(r"\{([A-Za-z0-9_][A-Za-z0-9_-]*)\}")
# Where inline code starts and ends in a note's text; each format writes its own marks there.
CODE_OPEN, CODE_CLOSE = "\x02", "\x03"


# -- the note's text, from its doctree ----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    text: str  # the exact bytes shown (a snippet file's content)
    language: str


@dataclass(frozen=True)
class Items:
    numbered: bool
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class Heading:
    text: str


Block = Text | Code | Items | Heading


def note_blocks(doctree: nodes.document) -> list[Block]:
    """The note as a reader of the page reads it: its own text and snippets, in order."""
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return []
    return _blocks(child for child in top.children if not isinstance(child, nodes.title))


def _site_only(node: nodes.Node) -> bool:
    """What the site adds around a note (metadata, badges, answers, related issues)."""
    if not isinstance(node, nodes.Element):
        return False
    classes: list[str] = node.get("classes", [])
    return any(name.startswith("rn-") and name not in ("rn-snippet", "rn-snippet-code")
               for name in classes)


def _blocks(children: Iterable[nodes.Node]) -> list[Block]:
    out: list[Block] = []
    for node in children:
        if _site_only(node):
            continue
        if isinstance(node, nodes.section):
            title = next(iter(node.findall(nodes.title)), None)
            if title is not None:
                out.append(Heading(_inline(title)))
            out.extend(_blocks(c for c in node.children if not isinstance(c, nodes.title)))
        elif isinstance(node, nodes.paragraph):
            text = _inline(node)
            if text.strip():
                out.append(Text(text))
        elif isinstance(node, nodes.literal_block):
            out.append(Code(node.astext(), str(node.get("language", ""))))
        elif isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            out.append(Items(isinstance(node, nodes.enumerated_list), tuple(
                tuple(_blocks(item.children)) for item in node.children
                if isinstance(item, nodes.list_item))))
        elif isinstance(node, (nodes.container, nodes.compound, nodes.block_quote)):
            out.extend(_blocks(node.children))
        # Anything else (raw HTML, comments, targets, rubrics, fields) is the site's own.
    return out


def _inline(node: nodes.Element) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, nodes.Text):
            parts.append(child.astext())
        elif isinstance(child, nodes.literal):
            parts.append(f"{CODE_OPEN}{child.astext()}{CODE_CLOSE}")
        elif isinstance(child, nodes.Element) and not _site_only(child):
            parts.append(_inline(child) if child.children else child.astext())
    return "".join(parts)


# -- AsciiDoc -------------------------------------------------------------------------------


def asciidoc_text(text: str) -> str:
    """Prose as AsciiDoc shows it: an attribute reference such as {name} stays text."""
    text = _ATTRIBUTE.sub(r"\\{\1}", text)
    return text.replace(CODE_OPEN, "`").replace(CODE_CLOSE, "`")


def asciidoc_blocks(blocks: Iterable[Block], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["[discrete]", f"==== {asciidoc_text(block.text)}", ""]
        elif isinstance(block, Text):
            lines += [asciidoc_text(block.text), ""]
        elif isinstance(block, Code):
            # The listing holds the snippet's bytes: every line as it is, then the delimiter.
            body = block.text if block.text.endswith("\n") else block.text + "\n"
            fence = "----"
            while fence in body.splitlines():
                fence += "-"
            lines += [f"[source,{block.language}]" if block.language else "[listing]",
                      fence, body.removesuffix("\n"), fence, ""]
        else:
            marker = ("." if block.numbered else "*") * (depth + 1)
            for item in block.items:
                first, *rest = item or (Text(""),)
                head = asciidoc_blocks([first], depth + 1) if not isinstance(first, Text) \
                    else [asciidoc_text(first.text)]
                if isinstance(first, Text):
                    lines.append(f"{marker} {head[0]}")
                else:
                    lines += [f"{marker} {{empty}}", "+", *head]
                for part in rest:
                    nested = asciidoc_blocks([part], depth + 1)
                    while nested and nested[-1] == "":
                        nested.pop()
                    lines += (["+", *nested] if not isinstance(part, Items) else nested)
            lines.append("")
    return lines


def ticket_links(issue: Issue, bugzilla_url: str, jira_url: str) -> list[str]:
    return [*(f"link:{bugzilla_url.format(bz=number)}[BZ#{number}]" for number in issue.bz),
            *(f"link:{jira_url.format(key=key)}[{key}]" for key in issue.jira)]


class _WholeSiteBuilder(Builder):
    """An export written from every page at once: each file depends on every note, so every
    page is read again and no page has a URL of its own."""

    allow_parallel = False

    def get_outdated_docs(self) -> Iterator[str]:
        yield from self.env.found_docs

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return docname


class AsciiDocBuilder(_WholeSiteBuilder):
    """``relnotes-asciidoc``: one ``<release>.adoc`` per release, chapters by type."""

    name = "relnotes-asciidoc"
    format = "asciidoc"
    epilog = "The AsciiDoc files are in %(outdir)s."

    def init(self) -> None:
        self.notes: dict[str, list[Block]] = {}

    def prepare_writing(self, docnames: AbstractSet[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        issue = relnotes_domain(self.env).issue_for_doc(docname)
        if issue is not None:
            self.notes[issue.id] = note_blocks(doctree)

    def finish(self) -> None:
        config = relnotes_config(self.config)
        out = Path(self.outdir)
        for release in release_notes(relnotes_domain(self.env).all_issues(), config.releases):
            title = _("Release notes for %(release)s") % {"release": release.release}
            lines = [f"= {asciidoc_text(str(title))}", ""]
            chapters = [(kind_heading(kind.value), issues) for kind, issues in release.sections]
            if release.fixed:
                chapters.append((str(_("Fixed in this release")), release.fixed))
            for heading, issues in chapters:
                lines += [f"== {heading}", ""]
                for issue in issues:
                    lines += [f'[id="{issue.id}"]', f".{asciidoc_text(issue.title)}", ""]
                    lines += asciidoc_blocks(self.notes.get(issue.id, []))
                    links = ticket_links(issue, config.bugzilla_url, config.jira_url)
                    if links:
                        lines += [", ".join(links), ""]
            write_if_changed(out / f"{release.slug}.adoc", "\n".join(lines).rstrip("\n") + "\n")


# -- Jira's wiki markup ---------------------------------------------------------------------


# Jira's marks: braces, links and table bars anywhere; emphasis-like marks (*bold*, _em_,
# -strike-, +under+, ^sup^, ~sub~) only where they could open or close one, so "32-bit" and
# "BZ#123" stay as written; "#", "*" or "-" first on a line would start a list.
_JIRA_ALWAYS = re.compile(r"([{}\[\]|\\])")
_JIRA_MARK = re.compile(r"(?:(?<![\w\\])([*_+^~-])(?=\S))|(?:(?<=\S)([*_+^~-])(?!\w))")


def jira_text(text: str) -> str:
    """Prose as Jira shows it: a character that would be markup, escaped."""
    text = _JIRA_ALWAYS.sub(r"\\\1", text)
    text = _JIRA_MARK.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)
    if text.startswith(("#", "h1.", "h2.", "h3.", "bq.")):
        text = "\\" + text
    return text.replace(CODE_OPEN, "{{").replace(CODE_CLOSE, "}}")


def jira_blocks(blocks: Iterable[Block], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += [f"h3. {jira_text(block.text)}", ""]
        elif isinstance(block, Text):
            # A line break inside a paragraph is one in Jira: the source's wrapping is not.
            lines += [jira_text(" ".join(block.text.split("\n"))), ""]
        elif isinstance(block, Code):
            opening = f"{{code:{block.language}}}" if block.language else "{noformat}"
            closing = "{code}" if block.language else "{noformat}"
            lines += [opening, block.text.removesuffix("\n"), closing, ""]
        else:
            marker = ("#" if block.numbered else "*") * (depth + 1)
            for item in block.items:
                first, *rest = item or (Text(""),)
                if isinstance(first, Text):
                    lines.append(f"{marker} {jira_text(' '.join(first.text.split(chr(10))))}")
                else:
                    rest = [first, *rest]
                    lines.append(marker)
                for part in rest:
                    nested = jira_blocks([part], depth + 1)
                    while nested and nested[-1] == "":
                        nested.pop()
                    lines += nested
            lines.append("")
    return lines


def verified_on(issue: Issue, app: Sphinx) -> str | None:
    """"Verified on libvirt 9.0 to 11.3." where every snippet of the issue passed, the versions
    said as the compatibility page says them; None if it has no snippet or passed nowhere."""
    domain = relnotes_domain(app.env)
    views = views_by_snippet(app.env)
    shown = [views[located.value] for located in domain.data["snippets"].get(issue.docname, [])
             if located.value in views]
    if not shown:
        return None
    targets = ordered_targets(relnotes_config(app.config).targets)
    versions = target_versions(current_ledger_or_empty(app.env), targets)
    passed = [index for index, target in enumerate(targets) if all(
        any(status.target == target and status.status is Status.PASSED
            for status in view.statuses) for view in shown)]
    if not passed:
        return None
    said = versions_text([versions[target] for target in targets], passed)
    return str(_("Verified on %(versions)s.") % {"versions": said})


class JiraTextBuilder(_WholeSiteBuilder):
    """``relnotes-jira-text``: ``<ticket>.txt`` per Jira ticket (``BZ<number>.txt`` per bug)."""

    name = "relnotes-jira-text"
    format = "jira"
    epilog = "The Release Note Texts are in %(outdir)s."

    def init(self) -> None:
        self.texts: dict[str, str] = {}

    def prepare_writing(self, docnames: AbstractSet[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        issue = relnotes_domain(self.env).issue_for_doc(docname)
        if issue is None:
            return
        lines = jira_blocks(note_blocks(doctree))
        verified = verified_on(issue, self.app)
        if verified:
            lines += [verified, ""]
        text = "\n".join(lines).rstrip("\n") + "\n"
        for ticket in [*issue.jira, *(f"BZ{number}" for number in issue.bz)]:
            self.texts[ticket] = text

    def finish(self) -> None:
        for ticket, text in self.texts.items():
            write_if_changed(Path(self.outdir) / f"{ticket}.txt", text)


EXPORT_BUILDERS: dict[str, type[Builder]] = {
    "asciidoc": AsciiDocBuilder, "jira-text": JiraTextBuilder}


def _keep_quotes(app: Sphinx, config: Config) -> None:
    """An export says the text as it was written: no typographic quotes for its builders."""
    excluded = config.smartquotes_excludes.setdefault("builders", [])
    excluded.extend(builder.name for builder in EXPORT_BUILDERS.values()
                    if builder.name not in excluded)


def setup_export(app: Sphinx) -> None:
    for builder in EXPORT_BUILDERS.values():
        app.add_builder(builder)
    app.connect("config-inited", _keep_quotes, priority=800)


__all__: list[str] = ["EXPORT_BUILDERS", "setup_export"]
