"""The ``rn`` domain: issue objects, their roles, indices, cross-reference resolution."""

from __future__ import annotations

import html
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

from relnotes.core.issue_fields import UNKNOWN_ISSUE_TEMPLATE, duplicate_id_message, shared_bz_message
from relnotes.core.model import Issue, Kind
from relnotes.core.selection import IssueSelection
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.i18n import _, kind_label
from relnotes.sphinxext.language_marks import language_classes, title_language
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

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
    dangling_warnings = {"issue": UNKNOWN_ISSUE_TEMPLATE}  # noqa: RUF012
    #: How the search page names each type of entry, in the build's language.
    type_names = {"issue": _("Release notes issue"), "bz": _("Bugzilla entry")}  # noqa: RUF012
    initial_data: ClassVar[dict[str, Any]] = {
        "issues": {},  # issue id -> Located(Issue)
        # Lookups by page and by BZ, kept beside "issues" so every lookup is O(1): a site
        # of thousands of issues resolves thousands of BZ mentions.
        "issue_by_doc": {},  # docname -> issue id
        "issue_by_bz": {},  # BZ number -> issue id
        "references": {},  # docname -> [(reftype, target)]
        "snippets": {},  # docname -> [Located(snippet path)]
        "unshown": {},  # docname -> [Located(snippet path)] named but not shown (not UTF-8)
        "unmarked_code": {},  # issue docname -> [line] of code blocks that are not snippets
        "issue_lists": {},  # docname -> [IssueSelection] of its rn:issue-list, in order
        "snippet_tables": set(),  # docnames showing the table of every snippet
        "verification": {},  # docname -> the snippet statuses it showed when last written
        "rendered": {},  # docname -> what its computed parts showed when last written
    }

    def get_type_name(self, type: ObjType, primary: bool = False) -> str:
        for name, object_type in self.object_types.items():
            if object_type is type:
                return str(self.type_names[name])
        return super().get_type_name(type, primary)

    # -- collecting ---------------------------------------------------------

    @property
    def issues(self) -> dict[str, Located]:
        return cast("dict[str, Located]", self.data["issues"])

    def all_issues(self) -> list[Issue]:
        return [located.value for located in self.issues.values()]

    def note_issue(self, issue: Issue, node: Element) -> None:
        if self._reject_duplicate(issue, node):
            return
        self._add(Located(issue, node.line or 0))

    def _reject_duplicate(self, issue: Issue, location: Element | tuple[str, int]) -> bool:
        existing = self.issues.get(issue.id)
        if existing is None or existing.value.docname == issue.docname:
            return False
        logger.warning(
            duplicate_id_message(issue.id, str(self.env.doc2path(existing.value.docname))),
            location=location,
            type=WARNING_TYPE,
            subtype=Subtype.DUPLICATE_ID,
        )
        return True

    def _add(self, located: Located) -> None:
        issue: Issue = located.value
        self.issues[issue.id] = located
        self.data["issue_by_doc"][issue.docname] = issue.id
        for number in issue.bz:
            self.data["issue_by_bz"].setdefault(number, issue.id)

    def note_references(self, docname: str, references: list[tuple[str, str]]) -> None:
        self.data["references"][docname] = references

    def note_snippet(self, docname: str, path: str, lineno: int) -> None:
        self.data["snippets"].setdefault(docname, []).append(Located(path, lineno))

    def note_unshown_snippet(self, docname: str, path: str, lineno: int) -> None:
        """A snippet a page names but cannot show (its own warning says why)."""
        self.data["unshown"].setdefault(docname, []).append(Located(path, lineno))

    def note_unmarked_code(self, docname: str, lines: list[int]) -> None:
        """Code blocks an issue page shows that are neither snippets nor marked as output."""
        if lines:
            self.data["unmarked_code"][docname] = lines
        else:
            self.data["unmarked_code"].pop(docname, None)

    def note_issue_list(self, docname: str, selection: IssueSelection) -> int:
        """Record a list of the page; its position among the page's lists."""
        lists = self.data["issue_lists"].setdefault(docname, [])
        lists.append(selection)
        return len(lists) - 1

    def note_snippet_table(self, docname: str) -> None:
        self.data["snippet_tables"].add(docname)

    def update_views(self, name: str, views: dict[str, Any]) -> list[str]:
        """Store what pages will show of a site-wide part; return the pages whose view changed.

        Sphinx rewrites only pages whose source changed; these parts (backlinks, badges, ...)
        change with other pages or the ledger, so ``env-updated`` returns these pages too.
        """
        previous = self.data[name]
        self.data[name] = views
        return [docname for docname, view in views.items() if previous.get(docname) != view]

    def issue_for_doc(self, docname: str) -> Issue | None:
        issue_id = self.data["issue_by_doc"].get(docname)
        return cast("Issue", self.issues[issue_id].value) if issue_id is not None else None

    def issue_for_bz(self, number: int) -> Issue | None:
        issue_id = self.data["issue_by_bz"].get(number)
        return cast("Issue", self.issues[issue_id].value) if issue_id is not None else None

    def clear_doc(self, docname: str) -> None:
        issue_id = self.data["issue_by_doc"].pop(docname, None)
        if issue_id is not None:
            issue: Issue = self.issues.pop(issue_id).value
            for number in issue.bz:
                if self.data["issue_by_bz"].get(number) == issue_id:
                    del self.data["issue_by_bz"][number]
        self.data["references"].pop(docname, None)
        self.data["snippets"].pop(docname, None)
        self.data["unshown"].pop(docname, None)
        self.data["unmarked_code"].pop(docname, None)
        self.data["issue_lists"].pop(docname, None)
        self.data["snippet_tables"].discard(docname)
        self.data["verification"].pop(docname, None)
        self.data["rendered"].pop(docname, None)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        for located in otherdata["issues"].values():
            issue: Issue = located.value
            if issue.docname in wanted and not self._reject_duplicate(
                issue, (issue.docname, located.lineno)
            ):
                self._add(located)
        for key in ("references", "snippets", "unshown", "unmarked_code", "issue_lists"):
            for docname, value in otherdata.get(key, {}).items():
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
            reference = make_refnode(builder, fromdocname, issue.docname, "", contnode, issue.title)
            # An untranslated title: its words and its tooltip in their language.
            reference["classes"].extend(language_classes(title_language(env, issue.docname)))
            return reference
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
                # Sphinx's domainindex.html prints group names unescaped (they are "letters").
                group = html.escape(group)
                content.setdefault(group, []).append(self.entry(issue))
        return sorted(content.items()), False


class BugzillaIndex(_IssueIndex):
    name = "bz"
    localname = _("Issues by Bugzilla number")
    shortname = _("by BZ")

    def groups(self, issue: Issue) -> Iterable[str]:
        return [str(_("No Bugzilla number"))] if not issue.bz else []

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
    localname = _("Issues by component")
    shortname = _("by component")

    def groups(self, issue: Issue) -> Iterable[str]:
        return [issue.component]


class TopicIndex(_IssueIndex):
    name = "topic"
    localname = _("Issues by topic")
    shortname = _("by topic")

    def groups(self, issue: Issue) -> Iterable[str]:
        return issue.topics


class KindIndex(_IssueIndex):
    name = "kind"
    localname = _("Issues by kind")
    shortname = _("by kind")

    def groups(self, issue: Issue) -> Iterable[str]:
        return [kind_label(issue.kind.value)]  # in the build's language, as pages name kinds

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        """Groups in the order of a release's notes (new first, known issues last)."""
        content, collapse = super().generate(docnames)
        order = {html.escape(kind_label(kind.value)): kind.order for kind in Kind}
        return sorted(content, key=lambda group: order.get(group[0], len(order))), collapse


RelnotesDomain.indices = [BugzillaIndex, ComponentIndex, TopicIndex, KindIndex]


def relnotes_domain(env: BuildEnvironment) -> RelnotesDomain:
    return cast("RelnotesDomain", env.get_domain(RelnotesDomain.name))


def warn_of_shared_bz(app: Sphinx, env: BuildEnvironment) -> None:
    """A Bugzilla number on two issue pages: ``{rn:bz}`` and ``bz/<n>.html`` can point at one
    only. Warned at each record, naming the others, after every page was read (and merged)."""
    pages: dict[int, list[Located]] = {}
    for located in relnotes_domain(env).issues.values():
        for number in located.value.bz:
            pages.setdefault(number, []).append(located)
    for number, issues in sorted(pages.items()):
        for located in issues:
            others = [str(env.doc2path(other.value.docname)) for other in issues
                      if other is not located]
            if others:
                logger.warning(shared_bz_message(number, others),
                               location=(located.value.docname, located.lineno),
                               type=WARNING_TYPE, subtype=Subtype.DUPLICATE_BZ)


def setup_domain(app: Sphinx) -> None:
    app.add_domain(RelnotesDomain)
    # After reading, with every page's records merged (parallel reads included).
    app.connect("env-check-consistency", warn_of_shared_bz, priority=500)


__all__ = ["Kind", "RelnotesDomain", "relnotes_domain", "setup_domain"]
