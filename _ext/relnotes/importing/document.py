"""What an import produces before anything is written: notes, their bodies and snippets.

Every text here is untrusted (it came from a tracker or a pasted page); ``pages`` escapes it
when it becomes MyST.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from relnotes.core.model import Kind, RecordError, parse_component
from relnotes.importing.snippets import Snippet


class BadInput(ValueError):
    """Bad input: the message names the input and, where there is one, the line."""

    def __init__(self, where: str, message: str, line: int | None = None) -> None:
        located = f"{where}:{line}" if line else where
        super().__init__(f"{located}: {message}")
        self.where = where
        self.line = line


def check_component(name: str, where: str, hint: str = "") -> str:
    """A component is what the site accepts in an issue's ``:component:`` (one rule, the
    core's): it names a folder, a page and an index group."""
    try:
        return parse_component(name)
    except RecordError as error:
        raise BadInput(where, f"{error}{hint}") from None


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class SnippetUse:
    snippet: Snippet


@dataclass(frozen=True)
class Step:
    """A numbered step: its text, then what is shown under it (snippets, short prose)."""

    text: str
    blocks: tuple[Paragraph | SnippetUse, ...] = ()


@dataclass(frozen=True)
class Steps:
    items: tuple[Step, ...]


Block = Paragraph | BulletList | SnippetUse | Steps


@dataclass(frozen=True)
class Note:
    """One imported issue: a page and the snippets it shows."""

    key: str  # what identifies it in the input across re-imports ("bz:847259", "text:kvm:...")
    origin: str  # for the mapping the command prints ("BZ#847259", "bullet at line 9")
    title: str
    component: str
    releases: tuple[str, ...]
    kind: Kind
    bz: tuple[int, ...]
    body: tuple[Block, ...]
    id_hint: str  # words the id slug is made from
    jira: tuple[str, ...] = ()
    fixed_in: str = ""

    def snippets(self) -> list[Snippet]:
        found: list[Snippet] = []
        for block in self.body:
            if isinstance(block, SnippetUse):
                found.append(block.snippet)
            elif isinstance(block, Steps):
                for step in block.items:
                    found.extend(b.snippet for b in step.blocks if isinstance(b, SnippetUse))
        return list({snippet.name: snippet for snippet in found}.values())


@dataclass
class Imported:
    """Everything one input yields: notes, a component introduction, and what was skipped."""

    notes: list[Note] = field(default_factory=list)
    component_intro: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # "BZ#123: why", shown to the user
    # Records that could not be imported ("RHEL-12: customfield_...: why"): listed, and
    # fatal with --strict.
    faults: list[str] = field(default_factory=list)
    # Imported, but a writer should look at them ("RHEL-12: Release Note Status is ...").
    needs_editing: list[str] = field(default_factory=list)
