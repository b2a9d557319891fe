"""Verification status on the site: badges and details per snippet, and the snippets page.

Statuses come from the ledger when pages are written, not when they are read: a new ledger
rewrites exactly the pages whose snippets changed status, and reading never depends on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from relnotes.core.ledger import Ledger, LedgerError, SnippetStatus, load_ledger, sha256_of
from relnotes.core.plan import Check, plan_loadable_checks
from relnotes.core.results import meaning
from relnotes.core.spec import pending_reason
from relnotes.sphinxext.claims import render_claims
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.evidence_pages import hold, moves_evidence
from relnotes.sphinxext.i18n import SOURCE_LANGUAGE_CLASS, _
from relnotes.sphinxext.necessity import mutation_sentences
from relnotes.sphinxext.snippet import (
    SnippetPathError,
    file_location,
    resolve_snippet,
    snippet_status,
    snippets_dir,
)
from relnotes.sphinxext.versions import target_versions
from relnotes.sphinxext.warnings import WARNING_TYPE, Subtype

logger = logging.getLogger(__name__)


class snippet_badges(nodes.General, nodes.Element):
    """The per-environment verification badges of one snippet."""


class snippet_details(nodes.General, nodes.Element):
    """What each verification observed: environment, image, time, layers; folded by default."""


class snippet_table(nodes.General, nodes.Element):
    """Placeholder for the table of every included snippet and its status."""


@dataclass(frozen=True)
class SnippetView:
    """What a page shows of one snippet's verification; compared to decide rewrites."""

    key: str
    sha256: str
    statuses: tuple[SnippetStatus, ...]
    details: tuple[tuple[str, str], ...]  # (target, what its run recorded) per recorded target
    # The stub's reason when its spec is pending: no check exists, whatever the ledger says.
    pending: str | None = None


# -- the ledger -----------------------------------------------------------------------------


def ledger_path(config: Config) -> Path:
    return Path(relnotes_config(config).ledger)


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Ledger:
    # Keyed by the file's identity, so a rewritten ledger is read again.
    return load_ledger(path)


def current_ledger(config: Config) -> Ledger:
    path = ledger_path(config)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return Ledger()
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)


def ledger_or_warning(config: Config, subtype: Subtype) -> Ledger | None:
    """The ledger, or None after a warning located at the ledger file."""
    try:
        return current_ledger(config)
    except LedgerError as error:
        logger.warning("cannot read the verification ledger: %s", error,
                       location=file_location(ledger_path(config)),
                       type=WARNING_TYPE, subtype=subtype)
        return None


def checks_by_snippet(root: Path, size_limit: int) -> dict[str, Check]:
    """The check covering each snippet, as the engine plans it, from the specs that load (the
    spec check reports the others at their line; their snippets' badges show stale)."""
    checks = plan_loadable_checks(root, size_limit)
    return {member.snippet: check for check in checks for member in check.members}


def snippet_view(config: Config, ledger: Ledger, key: str, path: Path,
                 checks: dict[str, Check] | None = None) -> SnippetView:
    """The snippet's status per target: stale unless its bytes and every input of its check
    (spec, guests, fragments, engine, environment definition) are what was verified."""
    digest = sha256_of(path)
    targets = relnotes_config(config).targets
    check = checks.get(key) if checks is not None else None
    statuses = tuple(
        ledger.status(key, digest, target,
                      inputs=check.inputs(target) if check is not None else {})
        for target in targets)
    details = []
    for target in targets:
        record = ledger.get(key, target)
        if record is None:
            continue
        env = record.environment
        part_of = record.check if record.check not in ("", key) else ""
        # The badge beside it says the outcome, the exact versions and the day.
        line = (f"image {env.image_id[:19]}, {record.verified_at:%H:%M} UTC, "
                f"{record.duration:.1f} s")
        if part_of:
            # The procedure's layers are shown once, on the snippet whose check it is.
            details.append((target, f"{line} (checked as part of {part_of}: its layers are "
                                    "shown there)"))
            continue
        layers = ", ".join(
            f"{name}: {layer.status.value}" + (f" ({_shortened(layer.detail)})" if layer.detail else "")
            for name, layer in record.layers.items()
        )
        details.append((target, line + (f"; layers: {layers}" if layers else "")
                        + (f"; observed: {record.observation}" if record.observation else "")))
    return SnippetView(key, digest, statuses, tuple(details), pending_reason(path))


#: Characters of a layer's detail shown on a page; the ledger keeps all of it (and the log).
DETAIL_LIMIT = 200


def _shortened(text: str) -> str:
    return text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT - 1] + "…"


# -- words ----------------------------------------------------------------------------------


def badge_text(status: SnippetStatus, version: str | None = None) -> str:
    """The badge: outcome, where and when (the results table's words, translated); the reason
    is said once, on the line of status or in the evidence (status_line.py). ``version``
    names the target as readers know it ("libvirt 9.0 / QEMU 7.2")."""
    when = f", {status.verified_at:%Y-%m-%d}" if status.verified_at else ""
    return str(_(meaning(status.status).badge) % {
        "environment": status.environment_label or version or status.target,
        "target": version or status.target, "when": when})


def short_reason(status: SnippetStatus) -> str | None:
    """The stated reason: its own field in the ledger (the observation is another)."""
    if not meaning(status.status).reason_shown:
        return None
    return status.reason or None


def pending_text(reason: str) -> str:
    return _("Not verified: %(reason)s") % {"reason": _(reason)}


def status_text(status: SnippetStatus) -> str:
    """Badge and reason in one line, for warnings and tables."""
    reason = short_reason(status)
    return f"{badge_text(status)}: {reason}" if reason else badge_text(status)


# -- deciding what to rewrite ---------------------------------------------------------------


def compute_views(app: Sphinx, env: BuildEnvironment) -> dict[str, tuple[SnippetView, ...]]:
    ledger = ledger_or_warning(env.config, Subtype.LEDGER) or Ledger()
    root = snippets_dir(env)
    domain = relnotes_domain(env)
    checks = checks_by_snippet(root, relnotes_config(env.config).snippet_size_limit)
    cache: dict[str, SnippetView] = {}
    views: dict[str, tuple[SnippetView, ...]] = {}
    for docname, uses in domain.data["snippets"].items():
        for located in uses:
            key = located.value
            if key not in cache:
                try:
                    cache[key] = snippet_view(env.config, ledger, key,
                                              resolve_snippet(root, key).path, checks)
                except SnippetPathError:
                    continue  # deleted since it was read; the page is re-read and warns
        views[docname] = tuple(cache[located.value] for located in uses if located.value in cache)
    everything = tuple(cache[key] for key in sorted(cache))
    for docname in domain.data["snippet_tables"]:
        views[docname] = everything
    return views


def schedule_rewrites(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose snippets' verification status changed although their source did not."""
    return relnotes_domain(env).update_views("verification", dict(compute_views(app, env)))


# -- rendering ------------------------------------------------------------------------------


def render_statuses(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    domain = relnotes_domain(app.env)
    views = {view.key: view for view in domain.data["verification"].get(docname, ())}
    labels = {target: version.full_label for target, version in target_versions(
        current_ledger_or_empty(app.config), relnotes_config(app.config).targets).items()}
    moved = moves_evidence(app)
    for placeholder in list(doctree.findall(snippet_status)):
        view = views.get(placeholder["key"])
        shown = (_evidence(view, labels, placeholder.get("evidence_head", ""),
                           placeholder.get("evidence_groups", {})) if view else [])
        for node in shown:
            if moved and view is not None and view.details and isinstance(node, snippet_details):
                # Runs to show: the disclosure keeps its summary and links to the evidence's
                # own page. Without any run its few badges stay where they are.
                hold(app, docname, placeholder["key"], node)
        placeholder.replace_self(shown)
    render_claims(doctree, {key: view.statuses for key, view in views.items()}, labels)


def current_ledger_or_empty(config: Config) -> Ledger:
    # An unreadable ledger has been reported once, in env-updated (compute_views).
    try:
        return current_ledger(config)
    except LedgerError:
        return Ledger()


def _evidence(view: SnippetView, labels: dict[str, str], head: str,
              groups: dict[str, str]) -> list[nodes.Node]:
    """Everything behind the snippet's line of status, in one disclosure: what the controls,
    the unchanged guest and the broken copies showed (``head``, from status_line.py), then a
    line per version: its badge (outcome, exact versions, day; coloured as its summary group
    in ``groups``) and what else its run recorded; what the check shows and how it was
    adapted, once each. Reasons are said once, on the line of status (or in ``head``)."""
    if view.pending is not None:
        # One badge for every target: no check exists, so no environment has anything to say.
        badges = snippet_badges(classes=["rn-badges"])
        badges += nodes.inline("", pending_text(view.pending), classes=["rn-badge", "rn-badge-pending"])
        return [badges]
    details = snippet_details(classes=["rn-snippet-details"])
    if head:
        details += nodes.raw("", head, format="html")
    runs = dict(view.details)
    items = nodes.bullet_list(classes=["rn-compat-row", "rn-snippet-runs"])
    # Oldest version first, as the line and the tables order them (``groups``' order).
    order = {target: index for index, target in enumerate(groups)}
    for status in sorted(view.statuses, key=lambda status: order.get(status.target, len(order))):
        item = nodes.paragraph()
        group = groups.get(status.target)
        item += nodes.inline("", badge_text(status, labels.get(status.target)), classes=[
            "rn-badge", f"rn-badge-{status.status.value}",
            *(["rn-compat-cell", f"rn-summary-{group}"] if group else [])])
        if status.target in runs:
            item += nodes.Text(": ")
            # What the run recorded is the ledger's own words (English on a translation).
            item += nodes.inline("", runs[status.target], classes=[SOURCE_LANGUAGE_CLASS])
        items += nodes.list_item("", item)
    details += items
    # What was checked and how the check differs from the published text, once each.
    for label, texts, cls in (
            (_("What the check shows"), {s.summary for s in view.statuses if s.summary},
             "summary"),
            (_("Adapted for the check"), {s.adaptation for s in view.statuses if s.adaptation},
             "adaptation")):
        for text in sorted(texts):
            paragraph = nodes.paragraph(classes=[f"rn-snippet-{cls}"])
            paragraph += nodes.strong("", f"{label}: ")
            # The spec's words, in the source language.
            paragraph += nodes.inline("", text, classes=[SOURCE_LANGUAGE_CLASS])
            details += paragraph
    # Whether every part of the snippet is needed (the records' mutation scores), once each.
    for sentence, targets in mutation_sentences(view.statuses):
        where = ", ".join(labels.get(target, target) for target in targets)
        details += nodes.paragraph("", f"{where}: {sentence}", classes=["rn-snippet-necessity"])
    return [details]


class SnippetTableDirective(SphinxDirective):
    """Lists every included snippet with its status per environment."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        placeholder = snippet_table()
        self.set_source_info(placeholder)
        relnotes_domain(self.env).note_snippet_table(self.env.docname)
        return [placeholder]


def views_by_snippet(env: BuildEnvironment) -> dict[str, SnippetView]:
    """Every included snippet's view as computed for this build (in ``env-updated``)."""
    return {view.key: view for views in relnotes_domain(env).data["verification"].values()
            for view in views}


def snippet_record(view: SnippetView, ledger_error: str | None) -> dict[str, Any]:
    """The snippet as ``issues.json`` describes it: path, digest and status per environment."""
    record: dict[str, Any] = {"path": view.key, "sha256": view.sha256}
    if view.pending is not None:
        record["pending"] = view.pending
    if ledger_error is not None:  # also a warning, at the ledger file
        return {**record, "status": None, "error": ledger_error}
    return {
        **record,
        "status": {
            status.target: {
                "status": status.status.value,
                # the results table's answers, so readers of the file need no list of their own
                "group": meaning(status.status).group.name,
                "green": meaning(status.status).green and view.pending is None,
                "reason": status.reason,
                "observation": status.observation,
                "adaptation": status.adaptation,
                "environment": status.environment_label,
                "verified_at": status.verified_at.isoformat() if status.verified_at else None,
            }
            for status in view.statuses
        },
    }


def _visit_badges(translator: Any, node: snippet_badges) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="rn-badges"))


def _depart_badges(translator: Any, node: snippet_badges) -> None:
    translator.body.append("</div>\n")


def _visit_details(translator: Any, node: snippet_details) -> None:
    translator.body.append(translator.starttag(node, "details", CLASS="rn-snippet-details"))
    summary = _("Evidence: each run, its controls and adaptations")
    translator.body.append(f"<summary>{summary}</summary>\n")


def _depart_details(translator: Any, node: snippet_details) -> None:
    translator.body.append("</details>\n")


def setup_verification(app: Sphinx) -> None:
    app.add_directive_to_domain("rn", "snippet-table", SnippetTableDirective)
    app.add_node(snippet_badges, html=(_visit_badges, _depart_badges))
    app.add_node(snippet_details, html=(_visit_details, _depart_details))
    app.connect("env-updated", schedule_rewrites, priority=500)
    # Before other doctree-resolved handlers, so they see final nodes.
    app.connect("doctree-resolved", render_statuses, priority=400)
