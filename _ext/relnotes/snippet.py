"""The ``rn:snippet`` directive: a verified file shown exactly, with its per-environment badges."""

from __future__ import annotations

import base64
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.config import relnotes_config
from relnotes.domain import relnotes_domain
from relnotes.ledger import Ledger, LedgerError, SnippetStatus, Status, load_ledger, sha256_of
from relnotes.spec import snippet_files, snippet_key
from relnotes.tables import build_table
from relnotes.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)

LANGUAGES = {".xml": "xml", ".sh": "bash", ".virsh": "bash", ".console": "console", ".toml": "toml"}
# A status that the publish gate accepts, because it was observed or declared with a reason.
PUBLISHABLE = {Status.PASSED, Status.EXPECTED_FAILURE, Status.NOT_VERIFIABLE}


class snippet_badges(nodes.General, nodes.Element):
    """The per-environment verification badges of one snippet."""


class snippet_details(nodes.General, nodes.Element):
    """What each verification observed: environment, image, time, layers; folded by default."""


class snippet_table(nodes.General, nodes.Element):
    """Placeholder for the table of every included snippet and its status."""


@dataclass(frozen=True)
class SnippetFile:
    """A snippet file resolved inside the snippets directory."""

    key: str  # path relative to the snippets directory, posix
    path: Path

    @property
    def language(self) -> str:
        if self.path.suffix in LANGUAGES:
            return LANGUAGES[self.path.suffix]
        first_line = self.path.read_bytes()[:64].split(b"\n", 1)[0]
        return "bash" if first_line.startswith(b"#!") and b"sh" in first_line else "text"


class SnippetPathError(ValueError):
    pass


def resolve_snippet(snippets_dir: Path, key: str) -> SnippetFile:
    """Resolve ``key`` inside ``snippets_dir``, refusing anything that escapes it."""
    if not key or key.startswith("/") or "\\" in key:
        raise SnippetPathError(f"snippet path {key!r} must be relative to the snippets directory")
    root = snippets_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root):
        raise SnippetPathError(f"snippet path {key!r} escapes the snippets directory")
    if not path.is_file():
        raise SnippetPathError(f"snippet file {key!r} not found in {snippets_dir}")
    return SnippetFile(path.relative_to(root).as_posix(), path)


def snippets_dir(app_or_env: Sphinx | BuildEnvironment) -> Path:
    return Path(relnotes_config(app_or_env.config).snippets_dir)


def ledger_path(config: Any) -> Path:
    return Path(relnotes_config(config).ledger)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Ledger:
    # Keyed by the file's identity, so a rewritten ledger is read again.
    return load_ledger(path)


def current_ledger(config: Any) -> Ledger:
    path = ledger_path(config)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return load_ledger(path)
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


def statuses(config: Any, snippet: SnippetFile) -> list[SnippetStatus]:
    ledger = current_ledger(config)
    digest = sha256_of(snippet.path)
    return [ledger.status(snippet.key, digest, target) for target in relnotes_config(config).targets]


def badge_text(status: SnippetStatus) -> str:
    """The badge: outcome, where and when; the reason is shown beside it, once."""
    label = status.environment_label or status.target
    when = f", {status.verified_at:%Y-%m-%d}" if status.verified_at else ""
    match status.status:
        case Status.PASSED:
            return f"Verified on {label}{when}"
        case Status.FAILED:
            return f"Fails on {label}{when}"
        case Status.EXPECTED_FAILURE:
            return f"Fails on {label} (known){when}"
        case Status.NOT_VERIFIABLE:
            return f"Not verifiable on {status.target}"
        case Status.STALE:
            return f"Stale on {status.target}: changed since it was verified"
        case Status.MISSING:
            return f"Not verified on {status.target}"
    raise AssertionError(status.status)


def short_reason(status: SnippetStatus) -> str | None:
    """The stated reason, without the engine's appended observation log."""
    if status.status not in (Status.FAILED, Status.EXPECTED_FAILURE, Status.NOT_VERIFIABLE):
        return None
    if not status.reason:
        return None
    return status.reason.split(" (observed", 1)[0]


def status_text(status: SnippetStatus) -> str:
    """Badge and reason in one line, for warnings and tables."""
    reason = short_reason(status)
    return f"{badge_text(status)}: {reason}" if reason else badge_text(status)


class SnippetDirective(SphinxDirective):
    """Shows a file from the snippets directory, never a copy of it inside the page."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "caption": directives.unchanged,
        "language": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        options = relnotes_config(self.config)
        try:
            snippet = resolve_snippet(snippets_dir(self.env), self.arguments[0])
        except SnippetPathError as error:
            logger.warning(str(error), location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype.SNIPPET)
            return []
        data = snippet.path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            logger.warning("snippet %r is not UTF-8 text", snippet.key, location=self.get_location(),
                           type=WARNING_TYPE, subtype=Subtype.SNIPPET)
            return []
        self.env.note_dependency(str(snippet.path))
        self.env.note_dependency(str(ledger_path(self.config)))
        relnotes_domain(self.env).note_snippet(self.env.docname, snippet.key, self.lineno)

        container = nodes.container(classes=["rn-snippet"], ids=[self._unique_anchor(snippet.key)])
        container["data-rn-snippet"] = snippet.key
        container += self._caption(snippet)
        block = nodes.literal_block(text, text, classes=["rn-snippet-code"])
        block["language"] = self.options.get("language", snippet.language)
        self.set_source_info(block)
        container += block
        # The copy button copies these exact bytes (final newline, tabs, trailing blanks),
        # not the highlighted text.
        encoded = base64.b64encode(data).decode("ascii")
        container += nodes.raw(
            "", f'<template class="rn-snippet-bytes" data-content="{encoded}"></template>',
            format="html",
        )
        try:
            found = statuses(self.config, snippet)
        except LedgerError as error:
            logger.warning("cannot read the verification ledger: %s", error,
                           location=self.get_location(), type=WARNING_TYPE, subtype=Subtype.LEDGER)
            found = []
        container += self._badges(found)
        details = self._details(snippet)
        if details is not None:
            container += details
        if options.require_verified:
            self._gate(snippet, found)
        return [container]

    def _unique_anchor(self, key: str) -> str:
        # A page may show one file twice (e.g. as published and again in a tab); the
        # first occurrence keeps the stable anchor the snippets page links to.
        used = cast("set[str]", self.env.temp_data.setdefault("rn_snippet_anchors", set()))
        anchor = base = _anchor(key)
        count = 1
        while anchor in used:
            count += 1
            anchor = f"{base}-{count}"
        used.add(anchor)
        return anchor

    def _caption(self, snippet: SnippetFile) -> nodes.Node:
        caption = nodes.paragraph(classes=["rn-snippet-caption"])
        caption += nodes.literal("", self.options.get("caption", snippet.key))
        caption += nodes.Text(" ")
        relative = os.path.relpath(snippet.path, self.env.srcdir)
        download = addnodes.download_reference(
            "", "", reftarget="/" + Path(relative).as_posix(), refdoc=self.env.docname,
            refexplicit=True, classes=["rn-snippet-download"],
        )
        download += nodes.inline("", "download")
        caption += download
        return caption

    def _badges(self, found: list[SnippetStatus]) -> nodes.Node:
        badges = snippet_badges(classes=["rn-badges"])
        for status in found:
            badges += nodes.inline(
                "", badge_text(status), classes=["rn-badge", f"rn-badge-{status.status.value}"]
            )
        # Each distinct reason once, naming the targets it applies to.
        reasons: dict[str, list[str]] = {}
        for status in found:
            reason = short_reason(status)
            if reason:
                reasons.setdefault(reason, []).append(status.target)
        for reason, targets in reasons.items():
            badges += nodes.paragraph(
                "", f"{', '.join(targets)}: {reason}", classes=["rn-snippet-reason"]
            )
        return badges

    def _details(self, snippet: SnippetFile) -> nodes.Node | None:
        try:
            ledger = current_ledger(self.config)
        except LedgerError:
            return None
        items = nodes.bullet_list()
        for target in relnotes_config(self.config).targets:
            record = ledger.get(snippet.key, target)
            if record is None:
                continue
            env = record.environment
            layers = ", ".join(
                f"{name}: {layer.status.value}" + (f" ({layer.detail})" if layer.detail else "")
                for name, layer in record.layers.items()
            )
            part_of = record.check if record.check not in ("", snippet.key) else ""
            text = (
                f"{target}: {record.result.value} on {env.label}, image {env.image_id[:19]}, "
                f"{record.verified_at:%Y-%m-%d %H:%M} UTC, {record.duration:.1f} s"
                + (f" (checked as part of {part_of})" if part_of else "")
                + (f"; layers: {layers}" if layers else "")
                + (f"; reason: {record.reason}" if record.reason else "")
            )
            items += nodes.list_item("", nodes.paragraph("", text))
        if not items.children:
            return None
        details = snippet_details(classes=["rn-snippet-details"])
        details += items
        return details

    def _gate(self, snippet: SnippetFile, found: list[SnippetStatus]) -> None:
        for status in found:
            if status.status not in PUBLISHABLE:
                logger.warning(
                    "snippet %r is not publishable: %s", snippet.key, status_text(status),
                    location=self.get_location(), type=WARNING_TYPE, subtype=Subtype.UNVERIFIED,
                )


def _anchor(key: str) -> str:
    return "snippet-" + nodes.make_id(key)


def snippet_record(app: Sphinx, key: str) -> dict[str, Any]:
    """The snippet as ``issues.json`` describes it: path, digest and status per environment."""
    snippet = resolve_snippet(snippets_dir(app), key)
    record: dict[str, Any] = {"path": snippet.key, "sha256": sha256_of(snippet.path)}
    try:
        found = statuses(app.config, snippet)
    except LedgerError as error:  # already a warning at each directive; say it here too
        return {**record, "status": None, "error": str(error)}
    return {
        **record,
        "status": {
            status.target: {
                "status": status.status.value,
                "reason": status.reason,
                "environment": status.environment_label,
                "verified_at": status.verified_at.isoformat() if status.verified_at else None,
            }
            for status in found
        },
    }


def check_all_included(app: Sphinx, env: BuildEnvironment) -> None:
    """Every artifact in the snippets directory is shown somewhere, so none goes unpublished."""
    root = snippets_dir(env)
    if not root.is_dir():
        return
    included = {located.value for uses in relnotes_domain(env).data["snippets"].values()
                for located in uses}
    for path in snippet_files(root):
        key = snippet_key(path, root)
        if key not in included:
            logger.warning(
                "snippet %r is not included by any page", key,
                location=_file_location(path), type=WARNING_TYPE, subtype=Subtype.SNIPPET,
            )


def _file_location(path: Path) -> nodes.Node:
    # Sphinx reads a string location as a docname; a node carries a plain file path.
    node = nodes.Element()
    node.source, node.line = str(path), 1
    return node


class SnippetTableDirective(SphinxDirective):
    """Lists every included snippet with its status per environment."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        placeholder = snippet_table()
        self.set_source_info(placeholder)
        self.env.metadata[self.env.docname]["rn-snippet-table"] = True
        return [placeholder]


def render_snippet_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(snippet_table))
    if not placeholders:
        return
    domain = relnotes_domain(app.env)
    targets = relnotes_config(app.config).targets
    rows = []
    for key, using_doc in sorted({
        (located.value, using_doc)
        for using_doc, uses in domain.data["snippets"].items() for located in uses
    }):
        try:
            snippet = resolve_snippet(snippets_dir(app), key)
        except SnippetPathError:
            continue
        uri = app.builder.get_relative_uri(docname, using_doc) + "#" + _anchor(key)
        issue = domain.issue_for_doc(using_doc)
        cells: list[nodes.Node] = [
            nodes.reference("", "", nodes.literal("", key), internal=True, refuri=uri),
            nodes.Text(issue.id if issue else using_doc),
        ]
        try:
            found = statuses(app.config, snippet)
        except LedgerError:
            found = []  # the ledger's error is a warning at each snippet directive
        for status in found:
            cells.append(nodes.inline("", status_text(status),
                                      classes=["rn-badge", f"rn-badge-{status.status.value}"]))
        rows.append(cells)
    table = build_table(("Snippet", "Issue", *targets), rows, classes=["rn-snippet-table"])
    for placeholder in placeholders:
        placeholder.replace_self(table.deepcopy())


def rewrite_snippet_tables(app: Sphinx, env: BuildEnvironment) -> list[str]:
    # The table depends on every page and on the ledger: it is one page, rewrite it always.
    return [docname for docname in env.found_docs
            if docname in env.all_docs and _has_table(env, docname)]


def _has_table(env: BuildEnvironment, docname: str) -> bool:
    return bool(env.metadata.get(docname, {}).get("rn-snippet-table"))


def setup_snippets(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "snippet", SnippetDirective)
    app.add_directive_to_domain("rn", "snippet-table", SnippetTableDirective)
    app.add_node(snippet_badges, html=(_visit_badges, _depart_badges))
    app.add_node(snippet_details, html=(_visit_details, _depart_details))
    app.add_node(snippet_table)
    app.connect("env-check-consistency", check_all_included, priority=500)
    app.connect("doctree-resolved", render_snippet_tables, priority=500)
    app.connect("env-updated", rewrite_snippet_tables, priority=500)


def _visit_badges(translator: Any, node: snippet_badges) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="rn-badges"))


def _depart_badges(translator: Any, node: snippet_badges) -> None:
    translator.body.append("</div>\n")


def _visit_details(translator: Any, node: snippet_details) -> None:
    translator.body.append(translator.starttag(node, "details", CLASS="rn-snippet-details"))
    translator.body.append("<summary>Verification details</summary>\n")


def _depart_details(translator: Any, node: snippet_details) -> None:
    translator.body.append("</details>\n")


