"""The ``rn`` domain: issue objects, their roles, indices, cross-reference resolution."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, NamedTuple, cast

from docutils import nodes
from docutils.nodes import Element
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from relnotes.config import relnotes_config
from relnotes.model import Issue, Kind
from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


class Located(NamedTuple):
    """A recorded thing and the source line it came from, for warnings after reading."""

    value: Any
    lineno: int


class RelnotesDomain(Domain):
    """Issues by id and by Bugzilla number; what each document references and includes."""

    name = "rn"
    label = "Release notes"
    object_types = {  # noqa: RUF012 - Sphinx's API is class attributes
        "issue": ObjType("issue", "issue"),
        "bz": ObjType("Bugzilla entry", "bz"),
    }
    roles = {  # noqa: RUF012
        "issue": XRefRole(warn_dangling=True),
        "bz": XRefRole(),
    }
    dangling_warnings = {"issue": "unknown issue id %(target)r"}  # noqa: RUF012
    initial_data: ClassVar[dict[str, Any]] = {
        "issues": {},  # issue id -> Located(Issue)
        "references": {},  # docname -> [(reftype, target)]
        "snippets": {},  # docname -> [Located(snippet path)]
        "issue_lists": {},  # docname -> {component} listed there by rn:issue-list
        "snippet_tables": set(),  # docnames showing the table of every snippet
        "verification": {},  # docname -> the snippet statuses it showed when last written
        "rendered": {},  # docname -> what its computed parts showed when last written
    }

    # -- collecting ---------------------------------------------------------

    @property
    def issues(self) -> dict[str, Located]:
        return cast("dict[str, Located]", self.data["issues"])

    def all_issues(self) -> list[Issue]:
        return [located.value for located in self.issues.values()]

    def note_issue(self, issue: Issue, node: Element) -> None:
        existing = self.issues.get(issue.id)
        if existing is not None and existing.value.docname != issue.docname:
            logger.warning(
                "duplicate issue id %r, also declared in %s",
                issue.id,
                self.env.doc2path(existing.value.docname),
                location=node,
                type=WARNING_TYPE,
                subtype=Subtype.DUPLICATE_ID,
            )
            return
        self.issues[issue.id] = Located(issue, node.line or 0)

    def note_references(self, docname: str, references: list[tuple[str, str]]) -> None:
        self.data["references"][docname] = references

    def note_snippet(self, docname: str, path: str, lineno: int) -> None:
        self.data["snippets"].setdefault(docname, []).append(Located(path, lineno))

    def note_issue_list(self, docname: str, component: str) -> None:
        self.data["issue_lists"].setdefault(docname, set()).add(component)

    def note_snippet_table(self, docname: str) -> None:
        self.data["snippet_tables"].add(docname)

    def issue_for_doc(self, docname: str) -> Issue | None:
        for located in self.issues.values():
            if located.value.docname == docname:
                return cast("Issue", located.value)
        return None

    def issue_for_bz(self, number: int) -> Issue | None:
        for located in self.issues.values():
            if number in located.value.bz:
                return cast("Issue", located.value)
        return None

    def clear_doc(self, docname: str) -> None:
        for issue_id, located in list(self.issues.items()):
            if located.value.docname == docname:
                del self.issues[issue_id]
        self.data["references"].pop(docname, None)
        self.data["snippets"].pop(docname, None)
        self.data["issue_lists"].pop(docname, None)
        self.data["snippet_tables"].discard(docname)
        self.data["verification"].pop(docname, None)
        self.data["rendered"].pop(docname, None)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        for issue_id, located in otherdata["issues"].items():
            if located.value.docname not in wanted:
                continue
            existing = self.issues.get(issue_id)
            if existing is not None and existing.value.docname != located.value.docname:
                logger.warning(
                    "duplicate issue id %r, also declared in %s",
                    issue_id,
                    self.env.doc2path(existing.value.docname),
                    location=(located.value.docname, located.lineno),
                    type=WARNING_TYPE,
                    subtype=Subtype.DUPLICATE_ID,
                )
                continue
            self.issues[issue_id] = located
        for key in ("references", "snippets", "issue_lists"):
            for docname, value in otherdata[key].items():
                if docname in wanted:
                    self.data[key][docname] = value
        self.data["snippet_tables"] |= otherdata["snippet_tables"] & wanted

    # -- resolving ----------------------------------------------------------

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        if typ == "issue":
            located = self.issues.get(target)
            if located is None:
                return None
            issue = located.value
            if not node.get("refexplicit"):
                # Readers know issues by their titles; ids are for authors.
                contnode = nodes.inline("", issue.title, classes=contnode.get("classes", []))
            return make_refnode(builder, fromdocname, issue.docname, "", contnode, issue.title)
        if typ == "bz":
            return self._resolve_bz(fromdocname, builder, target, contnode)
        return None

    def _resolve_bz(
        self, fromdocname: str, builder: Builder, target: str, contnode: Element
    ) -> nodes.reference | None:
        number = target.removeprefix("BZ#")
        if not number.isdigit():
            return None
        issue = self.issue_for_bz(int(number))
        if issue is not None and issue.docname != fromdocname:
            return make_refnode(builder, fromdocname, issue.docname, "", contnode, issue.title)
        url = relnotes_config(self.env.config).bugzilla_url.format(bz=number)
        reference = nodes.reference("", "", internal=False, refuri=url, reftitle=f"Bugzilla {number}")
        reference += contnode
        return reference

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        resolved = self.resolve_xref(env, fromdocname, builder, "issue", target, node, contnode)
        return [("rn:issue", resolved)] if resolved is not None else []

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for issue_id, located in self.issues.items():
            issue: Issue = located.value
            # A real anchor: with none, Sphinx's search links to "#<display name>".
            anchor = f"rn-issue-{issue_id}"
            yield issue_id, issue.title, "issue", issue.docname, anchor, 1
            for number in issue.bz:
                yield str(number), f"BZ#{number}: {issue.title}", "bz", issue.docname, anchor, 1

    def get_full_qualified_name(self, node: Element) -> str | None:
        target = node.get("reftarget")
        return str(target) if target else None


class _IssueIndex(Index):
    """An index whose entries are issues, grouped by one of their fields."""

    def groups(self, issue: Issue) -> Iterable[str]:
        raise NotImplementedError

    def entry(self, issue: Issue) -> IndexEntry:
        return IndexEntry(issue.title, 0, issue.docname, "", issue.id, "", ", ".join(
            f"BZ#{number}" for number in issue.bz
        ))

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = cast("RelnotesDomain", self.domain)
        wanted = set(docnames) if docnames is not None else None
        content: dict[str, list[IndexEntry]] = {}
        for issue in sorted(domain.all_issues(), key=lambda issue: issue.id):
            if wanted is not None and issue.docname not in wanted:
                continue
            for group in self.groups(issue):
                content.setdefault(group, []).append(self.entry(issue))
        return sorted(content.items()), False


class BugzillaIndex(_IssueIndex):
    name = "bz"
    localname = "Issues by Bugzilla number"
    shortname = "by BZ"

    def groups(self, issue: Issue) -> Iterable[str]:
        return ["No Bugzilla number"] if not issue.bz else []

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        content, collapse = super().generate(docnames)
        domain = cast("RelnotesDomain", self.domain)
        by_range: dict[str, list[IndexEntry]] = {}
        for issue in domain.all_issues():
            for number in issue.bz:
                heading = f"{str(number)[:-5] or '0'}xxxxx"
                by_range.setdefault(heading, []).append(
                    IndexEntry(f"BZ#{number}", 0, issue.docname, "", issue.title, "", issue.id)
                )
        # Numeric order of the ranges: "9xxxxx" before "10xxxxx".
        ordered = sorted(by_range.items(), key=lambda item: int(item[0][:-5]))
        ranges = [(heading, sorted(entries, key=lambda e: int(e.name[3:])))
                  for heading, entries in ordered]
        return ranges + content, collapse


class ComponentIndex(_IssueIndex):
    name = "component"
    localname = "Issues by component"
    shortname = "by component"

    def groups(self, issue: Issue) -> Iterable[str]:
        return [issue.component]


class TopicIndex(_IssueIndex):
    name = "topic"
    localname = "Issues by topic"
    shortname = "by topic"

    def groups(self, issue: Issue) -> Iterable[str]:
        return issue.topics


class KindIndex(_IssueIndex):
    name = "kind"
    localname = "Issues by kind"
    shortname = "by kind"

    def groups(self, issue: Issue) -> Iterable[str]:
        return [issue.kind.title]


RelnotesDomain.indices = [BugzillaIndex, ComponentIndex, TopicIndex, KindIndex]


def relnotes_domain(env: BuildEnvironment) -> RelnotesDomain:
    return cast("RelnotesDomain", env.get_domain(RelnotesDomain.name))


def setup_domain(app: Sphinx) -> None:
    app.add_domain(RelnotesDomain)


__all__ = ["Kind", "RelnotesDomain", "relnotes_domain", "setup_domain"]
