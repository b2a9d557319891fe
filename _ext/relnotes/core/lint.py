"""The site's rules checked without building: pages, references and check specs.

Each rule is the one the build applies (:mod:`relnotes.core.issue_fields`,
:mod:`relnotes.core.snippet_ref`, :mod:`relnotes.core.spec`), applied to pages read with
:mod:`relnotes.core.pages` instead of Sphinx. Every problem is reported once, at file:line,
with the warning subtype the build uses for it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from relnotes.core.bounded import InputFileError, read_bounded
from relnotes.core.catalog_text import CatalogError, read_translations
from relnotes.core.claims import CATALOG_MESSAGE, MESSAGE, catalog_claims, catalogs, plain_claims
from relnotes.core.issue_fields import (
    PLACEHOLDER_TITLE_MESSAGE,
    FieldProblem,
    duplicate_id_message,
    is_placeholder_title,
    read_issue_fields,
    shared_bz_message,
    unknown_field_message,
    unknown_fields,
    unknown_issue_message,
    unreachable_message,
)
from relnotes.core.model import RecordError
from relnotes.core.pages import (
    CODE_BLOCK_MESSAGE,
    PAGE_SIZE_LIMIT,
    Directive,
    Page,
    read_page,
    toctree_entries,
)
from relnotes.core.paths import PathError
from relnotes.core.read_paths import (
    FILE_OPTION_READERS,
    READING_ROLES,
    ReadRoots,
    check_named,
    is_remote,
    reading_names,
    resolve_named,
    url_option_message,
)
from relnotes.core.selection import read_selection
from relnotes.core.settings import Settings
from relnotes.core.snippet_ref import (
    SnippetPathError,
    read_snippet,
    resolve_snippet_ref,
    unreferenced_message,
    unreferenced_snippets,
)
from relnotes.core.spec import spec_problem_message
from relnotes.core.spec import spec_problems as core_spec_problems

PAGE_SUFFIX = ".md"
ROOT_DOC = "index"
LOCALE_DIR = "locale"  # the page catalogs, as the site's conf.py names them (locale_dirs)
NOT_INCLUDED_MESSAGE = "document isn't included in any toctree"


@dataclass(frozen=True, order=True)
class Problem:
    file: Path
    line: int
    message: str
    subtype: str

    def render(self, root: Path) -> str:
        shown = self.file.relative_to(root) if self.file.is_relative_to(root) else self.file
        return f"{shown}:{self.line}: {self.message} [relnotes.{self.subtype}]"


@dataclass
class _Issue:
    id: str
    docname: str
    file: Path
    line: int
    bz: tuple[int, ...] = ()


@dataclass
class _Site:
    """What the pages declare, gathered in one pass before the cross-page rules run."""

    issues: dict[str, _Issue] = field(default_factory=dict)
    references: list[tuple[Path, int, str]] = field(default_factory=list)  # file, line, target
    snippets: set[str] = field(default_factory=set)
    included: set[str] = field(default_factory=set)


def check_site(settings: Settings, source_dir: Path) -> list[Problem]:
    """Every problem of the site's pages (under ``source_dir``) and specs, sorted by place."""
    problems: set[Problem] = set()
    pages = find_pages(source_dir)
    roots = ReadRoots(source_dir, (settings.snippets_dir,))
    site = _Site()
    unreadable: set[str] = set()
    for docname, file in pages.items():
        try:
            text = read_bounded(file, PAGE_SIZE_LIMIT, what="page").decode("utf-8")
            page = read_page(text)
        except InputFileError as error:
            problems.add(Problem(file, 1, str(error).removeprefix(f"{file}: "), "page"))
            unreadable.add(docname)
            continue
        except UnicodeDecodeError as error:
            problems.add(Problem(file, 1, f"not UTF-8 text ({error.reason})", "page"))
            unreadable.add(docname)  # left out of the build, so in no toctree either
            continue
        for directive in page.directives:
            problems.update(_directive_problems(directive, docname, file, settings, pages, site))
        problems.update(Problem(file, line, MESSAGE.format(phrase=phrase), "claim")
                        for line, phrase in plain_claims(text))
        problems.update(read_path_problems(page, docname, file, roots))
        if any(directive.name == "rn:issue" for directive in page.directives):
            problems.update(_unwritten(page, file))
            problems.update(Problem(file, line, CODE_BLOCK_MESSAGE, "code_block")
                            for line in page.code_blocks)
        for role in page.roles:
            if role.name == "rn:issue" and role.linked:
                site.references.append((file, role.line, role.target))
    for file, line, target in site.references:
        if target not in site.issues:
            problems.add(Problem(file, line, unknown_issue_message(target), "unknown_issue"))
    issue_pages = {issue.docname for issue in site.issues.values()}
    for issue in site.issues.values():
        if issue.docname not in site.included:
            problems.add(Problem(issue.file, issue.line, unreachable_message(issue.id), "unreachable"))
    for docname, file in pages.items():
        # As Sphinx's toc.not_included, which fails a -W build: every page but the root one
        # (an issue page has its own rule above) must be in some toctree.
        if (docname not in site.included and docname != ROOT_DOC
                and docname not in issue_pages | unreadable):
            problems.add(Problem(file, 1, NOT_INCLUDED_MESSAGE, "not_included"))
    problems.update(_shared_bz(site, settings.root))
    for key, path in unreferenced_snippets(settings.snippets_dir, site.snippets):
        problems.add(Problem(path, 1, unreferenced_message(key), "snippet"))
    problems.update(spec_problems(settings.snippets_dir, settings.snippet_size_limit))
    problems.update(catalog_problems(settings, source_dir, roots))
    problems.update(xml_problems(settings.snippets_dir))
    for catalog in catalogs(source_dir / LOCALE_DIR):
        problems.update(Problem(catalog, line, CATALOG_MESSAGE.format(phrase=phrase), "claim")
                        for line, phrase in catalog_claims(catalog))
    return sorted(problems)


def read_path_problems(page: Page, docname: str, file: Path, roots: ReadRoots,
                       line: int | None = None) -> Iterator[Problem]:
    """Files the page makes Sphinx or MyST read, outside the site's pages and snippets (the
    build's rule, :mod:`relnotes.core.read_paths`); ``line`` places them all (a catalog's)."""
    named: list[tuple[str, str, int]] = []
    for directive in page.directives:
        if directive.name in FILE_OPTION_READERS and "url" in directive.options:
            yield Problem(file, line or directive.line, url_option_message(directive.name),
                          "path")
        # At the directive's line, as the build reports it (options included).
        named += [(what, name, directive.line) for what, name in
                  reading_names(directive.name, directive.argument, directive.options)]
    named += [(role.name, role.target, role.line) for role in page.roles
              if role.name in READING_ROLES]
    for link in page.links:
        target = link.target.split("#", 1)[0]
        # MyST makes a link a download only when the file is there; an image is always read.
        if link.kind == "image" or (target and not is_remote(target) and resolve_named(
                target, docname, roots.srcdir).exists()):
            named.append(("image" if link.kind == "image" else "download", target, link.line))
    for what, name, where in named:
        try:
            check_named(name, docname, roots, what=what)
        except PathError as error:
            yield Problem(file, line or where, str(error), "path")


def catalog_problems(settings: Settings, source_dir: Path, roots: ReadRoots) -> Iterator[Problem]:
    """The same rule for what each language's catalogs (``source/locale/<language>/``) make the
    build read: a translation is parsed as the page is, so a ``msgstr`` can name a file too."""
    for language in settings.languages[1:]:
        folder = source_dir / "locale" / language / "LC_MESSAGES"
        if not folder.is_dir():
            continue
        for po in sorted(folder.rglob("*.po")):
            docname = po.relative_to(folder).with_suffix("").as_posix()
            try:
                messages = read_translations(po)
            except CatalogError as error:
                yield Problem(po, error.line, error.message, "catalog")
                continue
            for translation, line in messages:
                yield from read_path_problems(read_page(translation), docname, po, roots, line)


def _unwritten(page: Page, file: Path) -> Iterator[Problem]:
    """What ``relnotes new`` leaves for the writer: its placeholder title, sections with only
    comments in them."""
    for heading in page.headings:
        if heading.level == 1 and is_placeholder_title(heading.text):
            yield Problem(file, heading.line, PLACEHOLDER_TITLE_MESSAGE, "placeholder")
        elif heading.level > 1 and not heading.has_content:
            yield Problem(file, heading.line, f"section {heading.text!r} is empty: write it, "
                          "or remove its heading", "placeholder")


def _shared_bz(site: _Site, root: Path) -> Iterator[Problem]:
    """A Bugzilla number on two issue pages: each is named at the other's record."""
    pages: dict[int, list[_Issue]] = {}
    for issue in site.issues.values():
        for number in issue.bz:
            pages.setdefault(number, []).append(issue)
    for number, issues in pages.items():
        for issue in issues:
            others = [_shown(other.file, root) for other in issues if other is not issue]
            if others:
                yield Problem(issue.file, issue.line, shared_bz_message(number, others),
                              "duplicate_bz")


def _shown(file: Path, root: Path) -> str:
    return str(file.relative_to(root) if file.is_relative_to(root) else file)


def xml_problems(snippets_dir: Path) -> list[Problem]:
    """Every ``.xml`` file of the snippets folder (guests included) that is not well-formed."""
    from lxml import etree  # only here: check's other rules do not need it

    if not snippets_dir.is_dir():
        return []
    problems = []
    for path in sorted(snippets_dir.rglob("*.xml")):
        try:
            etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False,
                                                                no_network=True))
        except etree.XMLSyntaxError as error:
            problems.append(Problem(path, error.lineno or 1, f"not well-formed XML: {error.msg}",
                                    "snippet"))
    return problems


def find_pages(source_dir: Path) -> dict[str, Path]:
    """docname -> file of every page, in the order Sphinx reads them (sorted docnames)."""
    found = {}
    for file in source_dir.rglob("*" + PAGE_SUFFIX):
        relative = file.relative_to(source_dir)
        if any(part.startswith((".", "_")) for part in relative.parts[:-1]):
            continue  # _build, _static, .git: never pages
        found[relative.with_suffix("").as_posix()] = file
    return dict(sorted(found.items()))


def _directive_problems(directive: Directive, docname: str, file: Path, settings: Settings,
                        pages: dict[str, Path], site: _Site) -> Iterator[Problem]:
    if directive.name == "rn:issue":
        yield from _issue_problems(directive, docname, file, settings, site)
    elif directive.name == "rn:snippet":
        try:
            ref = resolve_snippet_ref(settings.snippets_dir, directive.argument)
            read_snippet(ref, settings.snippet_size_limit)
            site.snippets.add(ref.key)  # as the build: only a snippet it can show counts as shown
        except SnippetPathError as error:
            yield Problem(file, directive.line, str(error), "snippet")
    elif directive.name == "rn:issue-list":
        try:
            read_selection(directive.argument or None, directive.options, settings.topics)
        except RecordError as error:
            # The build's words and subtype for it (issue.py).
            yield Problem(file, directive.line, f"issue list: invalid option {error}",
                          "invalid_field")
    elif directive.name == "toctree":
        site.included.update(_toctree_docnames(directive, docname, pages))


def _issue_problems(directive: Directive, docname: str, file: Path, settings: Settings,
                    site: _Site) -> Iterator[Problem]:
    for name in unknown_fields(directive.options):
        yield Problem(file, directive.option_lines[name], unknown_field_message(name), "unknown_field")
    try:
        fields = read_issue_fields(directive.argument, directive.options, settings.topics,
                                   settings.releases)
    except FieldProblem as problem:
        yield Problem(file, directive.line, problem.message, problem.subtype)
        return
    existing = site.issues.get(fields.id)
    if existing is not None and existing.docname != docname:
        other = _shown(existing.file, settings.root)
        yield Problem(file, directive.line, duplicate_id_message(fields.id, other),
                      "duplicate_id")
        return
    site.issues[fields.id] = _Issue(fields.id, docname, file, directive.line, fields.bz)
    # The build places a see-also reference at the directive, and so does this.
    site.references.extend((file, directive.line, target) for target in fields.see_also)


def _toctree_docnames(directive: Directive, docname: str, pages: dict[str, Path]) -> Iterable[str]:
    """The documents a toctree includes, resolved as Sphinx's toctree directive does."""
    glob = "glob" in directive.options
    for entry in toctree_entries(directive):
        if entry == "self" or "://" in entry:
            continue
        target = _docname_join(docname, entry.removesuffix(PAGE_SUFFIX))
        if glob and any(char in entry for char in "*?["):
            pattern = _glob_pattern(target)
            yield from (name for name in pages if name != docname and pattern.match(name))
        else:
            yield target


def _docname_join(base: str, entry: str) -> str:
    return posixpath.normpath(posixpath.join("/" + base, "..", entry))[1:]


@cache
def _glob_pattern(pattern: str) -> re.Pattern[str]:
    """Sphinx's toctree glob: ``**`` crosses folders, ``*`` and ``?`` do not, ``[...]`` a class."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := pattern.find("]", index + 1)) != -1:
            body = pattern[index + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z")


def spec_problems(snippets_dir: Path, size_limit: int) -> list[Problem]:
    """Every spec problem the docs build reports, and snippets that have no spec at all."""
    if not snippets_dir.is_dir():
        return []
    return [Problem(error.file, error.line or 1, spec_problem_message(error), "spec")
            for error in core_spec_problems(snippets_dir, size_limit, missing=True)]
