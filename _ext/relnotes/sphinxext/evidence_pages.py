"""Each issue's evidence on a page of its own, one click (or one fetch) away from the issue page.

Only evidence with runs to show moves: a snippet no version has a record of keeps its few
"not verified" badges in its disclosure, and an issue without any run gets no evidence page.

Under each snippet the issue page keeps its line of status (the answer) and a disclosure whose
summary is as before; the disclosure holds a link to the snippet's part of
``<issue page>/evidence.html``, which holds what the disclosure held: what the controls, the
unchanged guest and the broken copies showed, a line per version, what the check shows and how it
was adapted. ``relnotes.js`` fetches that part into the disclosure when it is opened (same
origin); without the script, or when the fetch fails, the link is there. The issue page stays
light; the evidence is read by the few who open it.

The evidence pages are generated through the theme (``html-collect-pages``) in every language's
build and are not in the sitemap (each is reached from its issue page, which is the page to
find). Sphinx indexes documents only, so the evidence's words stay in the issue page's doctree,
in a node the HTML writer skips: a search for them still finds the issue page. Only the HTML
builders with a page per document move the evidence; every other builder keeps it in the
disclosure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from relnotes.sphinxext.i18n import _, exclude_from_sitemap, marked_source_language
from relnotes.sphinxext.language_marks import language_classes, title_language
from relnotes.sphinxext.snippet import snippet_anchor

#: The evidence page of the issue page ``<docname>``: ``<docname>/evidence``.
PAGE = "evidence"
#: The builders whose pages are one file per document, so a page of its own can be linked.
BUILDERS = frozenset({"html", "dirhtml"})


def evidence_pagename(docname: str) -> str:
    return f"{docname}/{PAGE}"


class evidence_words(nodes.General, nodes.Element):
    """The moved evidence, for the search index only: the HTML writer skips it."""


@dataclass
class HeldEvidence:
    """What this build moved off one issue page: each snippet's evidence, in page order."""

    title: str
    parts: dict[str, list[nodes.Node]] = field(default_factory=dict)  # snippet key -> nodes


def moves_evidence(app: Sphinx) -> bool:
    return app.builder.name in BUILDERS


@dataclass
class _EvidenceBuild:
    """This application's evidence pages: what each issue page moved off, and the theme's
    navigation per folder depth (an evidence page is in no toctree)."""

    held: dict[str, HeldEvidence] = field(default_factory=dict)
    navigation: dict[int, Any] = field(default_factory=dict)


def _build(app: Sphinx) -> _EvidenceBuild:
    state: _EvidenceBuild | None = getattr(app, "_relnotes_evidence", None)
    if state is None:
        state = _EvidenceBuild()
        app._relnotes_evidence = state  # type: ignore[attr-defined]
    return state


def _held(app: Sphinx) -> dict[str, HeldEvidence]:
    return _build(app).held


def hold(app: Sphinx, docname: str, key: str, details: nodes.Element) -> None:
    """Move ``details``' content to the evidence page of ``docname`` and leave in it a link to
    that part (a snippet shown twice on a page has one part; both disclosures link to it)."""
    title = app.env.titles[docname].astext() if docname in app.env.titles else docname
    page = _held(app).setdefault(docname, HeldEvidence(title))
    if key not in page.parts:
        page.parts[key] = [child.deepcopy() for child in details.children]
    words = evidence_words("", *details.children)
    details.clear()
    uri = app.builder.get_relative_uri(docname, evidence_pagename(docname))
    name = key.rsplit("/", 1)[-1]
    link = nodes.reference("", "", refuri=f"{uri}#{snippet_anchor(key)}",
                           classes=["rn-evidence-link"])
    before, _sep, after = str(_("The evidence for %(snippet)s, on its own page")).partition(
        "%(snippet)s")
    link += [nodes.Text(before), nodes.literal(name, name), nodes.Text(after)]
    details += nodes.paragraph("", "", link, classes=["rn-evidence-link"])
    details += words


def forget(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Before a page is resolved (again): what an earlier build of this application held of it
    is not what this one shows."""
    _held(app).pop(docname, None)


def _page_body(app: Sphinx, docname: str, held: HeldEvidence) -> str:
    """The evidence page's article: a heading, then a section per snippet (its ``id`` is the
    snippet's anchor on the issue page) holding the evidence in ``div.rn-evidence-body``."""
    pagename = evidence_pagename(docname)
    issue_uri = app.builder.get_relative_uri(pagename, docname)
    page = nodes.section(ids=["evidence"])
    # The issue's title is in its own language (English on an untranslated Japanese page).
    before, _sep, after = str(_("Evidence: %(title)s")).partition("%(title)s")
    words = nodes.inline("", held.title,
                         classes=language_classes(title_language(app.env, docname)))
    page += nodes.title("", "", nodes.Text(before), words, nodes.Text(after))
    back = nodes.paragraph()
    back += nodes.reference("", _("Back to the issue page"), refuri=issue_uri)
    page += back
    for key, content in held.parts.items():
        name = key.rsplit("/", 1)[-1]
        part = nodes.section(ids=[snippet_anchor(key)], classes=["rn-evidence"])
        part += nodes.title("", "", nodes.literal(name, name))
        snippet = nodes.paragraph(classes=["rn-evidence-snippet"])
        snippet += nodes.reference("", _("The snippet and its line of status on the issue page"),
                                   refuri=f"{issue_uri}#{snippet_anchor(key)}")
        part += snippet
        part += nodes.container("", *[node.deepcopy() for node in content],
                                classes=["rn-evidence-body"])
        page += part
    body = app.builder.render_partial(page)["fragment"]  # type: ignore[attr-defined]
    return marked_source_language(app.config, body)


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """The evidence page of every issue page this build wrote (the others' are unchanged)."""
    if not moves_evidence(app):
        return
    for docname, held in sorted(_held(app).items()):
        context = {"title": _("Evidence: %(title)s") % {"title": held.title},
                   "body": _page_body(app, docname, held), "rn_evidence_page": True}
        yield evidence_pagename(docname), context, "page.html"


def leave_out_of_sitemap(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: nodes.document | None) -> None:
    if context.get("rn_evidence_page"):
        exclude_from_sitemap(app, pagename)


def reuse_navigation(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                     doctree: nodes.document | None) -> None:
    """An evidence page is in no toctree, so the theme's navigation is the same for every
    evidence page at one depth (no current page, the same relative links): furo computes it
    for the first one only. Without furo, nothing is cached and nothing changes."""
    if context.get("rn_evidence_page") and pagename.count("/") in _build(app).navigation:
        context.pop("toctree", None)  # furo (500) then parses no toctree of its own


def keep_navigation(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: nodes.document | None) -> None:
    if not context.get("rn_evidence_page"):
        return
    cache = _build(app).navigation
    depth = pagename.count("/")
    if depth in cache:
        context["furo_navigation_tree"] = cache[depth]
    elif "furo_navigation_tree" in context:
        cache[depth] = context["furo_navigation_tree"]


def _skip(translator: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup_evidence_pages(app: Sphinx) -> None:
    app.add_node(evidence_words, html=(_skip, None))
    # Before verification.py (400) moves the page's evidence here.
    app.connect("doctree-resolved", forget, priority=399)
    # Any order among the generated pages: each evidence page stands alone.
    app.connect("html-collect-pages", collect_pages, priority=500)
    # Before sphinx-sitemap (500) reads its list for the page; i18n.py (520) restores it.
    app.connect("html-page-context", leave_out_of_sitemap, priority=480)
    # Around furo's handler (500), which computes the navigation from the toctree.
    app.connect("html-page-context", reuse_navigation, priority=490)
    app.connect("html-page-context", keep_navigation, priority=510)
