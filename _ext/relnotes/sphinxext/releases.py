"""A page per release (what is new, fixed, deprecated and known in it) and the release index.

Generated at write time (``html-collect-pages``) from the issues every page declared, in the
sections of :mod:`relnotes.core.releases`: ``releases/<release>.html`` and
``releases/index.html``. Written through the theme like any page, with each issue's title
as this build's language shows it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from relnotes.core.model import Issue
from relnotes.core.releases import ReleaseNotes, group_counts, release_notes
from relnotes.sphinxext.config import relnotes_config
from relnotes.sphinxext.domain import relnotes_domain
from relnotes.sphinxext.i18n import _, kind_heading
from relnotes.sphinxext.language_marks import lang_attribute, title_language

RELEASES_DIR = "releases"
INDEX_PAGE = f"{RELEASES_DIR}/index"


def release_page(slug: str) -> str:
    return f"{RELEASES_DIR}/{slug}"


def site_release_notes(app: Sphinx) -> list[ReleaseNotes]:
    return release_notes(relnotes_domain(app.env).all_issues(), relnotes_config(app.config).releases)


def collect_release_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or builder.name == "singlehtml" \
            or not relnotes_config(app.config).release_pages:
        return
    notes = site_release_notes(app)
    if not notes:
        return
    for release in notes:
        name = release_page(release.slug)
        title = _("Release notes for %(release)s") % {"release": release.release}
        yield name, {"title": title, "body": _release_body(app, name, title, release),
                     "parents": [{"link": builder.get_relative_uri(name, INDEX_PAGE),
                                  "title": _("Releases")}]}, "page.html"
    yield INDEX_PAGE, {"title": _("Releases"), "body": _index_body(app, notes)}, "page.html"


def _link(app: Sphinx, from_page: str, issue: Issue) -> str:
    uri = app.builder.get_relative_uri(from_page, issue.docname)
    tickets = [*(f"BZ#{number}" for number in issue.bz), *issue.jira]
    extra = f' <span class="rn-release-tickets">({html.escape(", ".join(tickets))})</span>' \
        if tickets else ""
    fixed = ""
    if issue.fixed_in:
        fixed = ' <span class="rn-release-fixed">' + html.escape(
            _("fixed in %(release)s") % {"release": issue.fixed_in}) + "</span>"
    if issue.retired is not None:
        fixed += ' <span class="rn-release-retired">' + html.escape(
            _("retired since %(since)s") % {"since": issue.retired.since}) + "</span>"
    lang = lang_attribute(title_language(app.env, issue.docname))
    return f'<li><a href="{html.escape(uri)}"{lang}>{html.escape(issue.title)}</a>{extra}{fixed}</li>'


def _release_body(app: Sphinx, name: str, title: str, release: ReleaseNotes) -> str:
    index = app.builder.get_relative_uri(name, INDEX_PAGE)
    # Each message a literal of its own (outside f-strings), so that pybabel extracts it.
    all_releases = html.escape(str(_("All releases")))
    fixed_here = html.escape(str(_("Fixed in this release")))
    out = [f'<section id="release-notes" class="rn-release" data-release="'
           f'{html.escape(release.release)}">', f"<h1>{html.escape(title)}</h1>",
           f'<p class="rn-release-nav"><a href="{html.escape(index)}">'
           f"{all_releases}</a></p>"]
    for kind, issues in release.sections:
        out.append(f'<section id="{kind.value}"><h2>{html.escape(kind_heading(kind.value))}</h2>'
                   '<ul class="rn-release-list">')
        out.extend(_link(app, name, issue) for issue in issues)
        out.append("</ul></section>")
    if release.fixed:
        out.append(f'<section id="fixed-here"><h2>{fixed_here}</h2>'
                   '<ul class="rn-release-list">')
        out.extend(_link(app, name, issue) for issue in release.fixed)
        out.append("</ul></section>")
    out.append("</section>")
    return "\n".join(out)


def _index_body(app: Sphinx, notes: list[ReleaseNotes]) -> str:
    headings = [_("Release"), _("New"), _("Fixed"), _("Deprecated"), _("Known issues")]
    title = html.escape(str(_("Releases")))
    out = ['<section id="releases" class="rn-releases">', f"<h1>{title}</h1>",
           '<table class="rn-release-index docutils"><thead><tr>',
           *(f"<th>{html.escape(str(heading))}</th>" for heading in headings),
           "</tr></thead><tbody>"]
    for release in notes:
        uri = app.builder.get_relative_uri(INDEX_PAGE, release_page(release.slug))
        counts = group_counts(release)
        out.append(f'<tr><td><a href="{html.escape(uri)}">{html.escape(release.release)}</a></td>'
                   + "".join(f"<td>{counts[group]}</td>"
                             for group in ("new", "fixed", "deprecated", "known"))
                   + "</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def setup_releases(app: Sphinx) -> None:
    app.connect("html-collect-pages", collect_release_pages, priority=500)
