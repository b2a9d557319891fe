"""``relnotes new ISSUE-ID``: an issue page scaffold at ``source/issues/<id>.md``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relnotes.cli.site import ANY_SITE
from relnotes.core.atomic import write_atomic
from relnotes.core.model import (
    PLACEHOLDER_TITLE,
    Kind,
    RecordError,
    parse_bz_numbers,
    parse_component,
    parse_issue_id,
    parse_jira_keys,
    parse_kind,
    parse_release,
    parse_retirement,
    parse_topics,
)
from relnotes.core.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kinds = ", ".join(kind.value for kind in Kind)
    parser = commands.add_parser(
        "new", help="write an issue page scaffold",
        description="Write source/issues/ISSUE-ID.md: the rn:issue record and the sections to "
                    "fill in. Refuses an id already taken, an unknown kind or component, a bad id "
                    "or Bugzilla number.",
        epilog="Exit codes: 0 written, 2 usage error or refused (the reason is printed).",
    )
    parser.add_argument("issue_id", metavar="ISSUE-ID", help="a lowercase slug, unique in the site")
    parser.add_argument("--component", required=True, metavar="C",
                        help="a component of relnotes.toml's [components], or with a page "
                             "source/components/C.md")
    parser.add_argument("--kind", required=True, metavar="K", help=f"one of: {kinds}")
    parser.add_argument("--bz", action="append", default=[], metavar="N",
                        help="a Bugzilla number (repeatable, or comma-separated)")
    parser.add_argument("--release", action="append", default=[], metavar="R",
                        help="an affected release (repeatable); without one the page says "
                             "what to fill in, and relnotes check reports it")
    parser.add_argument("--jira", action="append", default=[], metavar="KEY",
                        help="a Jira issue key such as RHEL-1234 (repeatable, or comma-separated)")
    parser.add_argument("--fixed-in", metavar="R",
                        help="the release in which the issue was fixed")
    parser.add_argument("--retired", metavar="'DATE: WHY'",
                        help="retire the issue: 'YYYY-MM-DD: why it no longer applies'")
    parser.add_argument("--topic", action="append", default=[], metavar="T",
                        help="a topic of relnotes.toml's topics (repeatable, or comma-separated)")
    parser.add_argument("--title", metavar="TEXT", help="the page title: the symptom, in one line")
    parser.add_argument("--source", type=Path, default=Path("source"), metavar="DIR",
                        help="the pages' folder, relative to the site (default: %(default)s)")
    parser.set_defaults(run=_run, site_files=ANY_SITE)


class Refused(ValueError):
    pass


def _run(args: argparse.Namespace) -> int:
    settings = args.settings
    source: Path = settings.root / args.source
    try:
        page, text = _scaffold(args, source, settings)
    except Refused as reason:
        print(f"error: {reason}", file=sys.stderr)
        return 2
    # Written whole, then linked into place: never half a page, and never over a page that
    # appeared meanwhile.
    try:
        write_atomic(page, text, exclusive=True)
    except FileExistsError:
        print(f"error: {page} already exists", file=sys.stderr)
        return 2
    print(f"wrote {page.relative_to(settings.root)}")
    if not args.release:
        print("fill in :releases: (relnotes check reports it until then)")
    if not _in_a_toctree(settings, source, page):
        docname = page.relative_to(source).with_suffix("").as_posix()
        print(f"add {docname} to a toctree (its component page's, for example): no toctree "
              "includes it yet, and a build fails on a page no toctree includes")
    return 0


def _in_a_toctree(settings: Settings, source: Path, page: Path) -> bool:
    """Whether some toctree of the site includes ``page``, by the rules ``relnotes check``
    applies (the same as the build's)."""
    from relnotes.core.lint import check_site

    return not any(problem.subtype == "unreachable" and problem.file == page
                   for problem in check_site(settings, source))


def _scaffold(args: argparse.Namespace, source: Path, settings: Settings) -> tuple[Path, str]:
    try:
        issue_id = parse_issue_id(args.issue_id)
        kind = parse_kind(args.kind)
        bz = parse_bz_numbers(",".join(args.bz))
        jira = parse_jira_keys(",".join(args.jira))
        if args.fixed_in is not None:
            parse_release(args.fixed_in, "fixed-in")
        retired = parse_retirement(args.retired)
        if args.retired is not None and retired is None:
            raise Refused("--retired: 'YYYY-MM-DD: why it no longer applies', not empty")
        topics = parse_topics(",".join(args.topic), settings.topics)
        parse_component(args.component)
        if any("," in release for release in args.release):
            raise Refused("--release: one release per option (a comma separates releases)")
        for release in args.release:
            parse_release(release)
        if args.title is not None and (not args.title.isprintable() or not args.title.strip()):
            raise Refused("--title: one line of printable text (no newline or control "
                          "character)")
    except RecordError as error:
        raise Refused(f"{error}") from None
    named = [*args.release, *([args.fixed_in] if args.fixed_in is not None else [])]
    unknown = [release for release in named if settings.releases
               and release not in settings.releases]
    if unknown:
        raise Refused(f"release {unknown[0]!r} is not one of relnotes.toml's releases "
                      f"({', '.join(settings.releases)})")
    known = set(settings.components) | {page.stem for page in (source / "components").glob("*.md")}
    if args.component not in known:
        raise Refused(f"component {args.component!r} is unknown (known: "
                      f"{', '.join(sorted(known)) or 'none'}); add source/components/"
                      f"{args.component}.md or declare it in relnotes.toml [components]")
    page = source / "issues" / f"{issue_id}.md"
    if page.exists():
        raise Refused(f"issue {issue_id!r} exists: {page}")
    declared = _declaring_page(source, issue_id)
    if declared is not None:
        raise Refused(f"issue id {issue_id!r} is already declared in {declared}")
    lines = [f"# {args.title or PLACEHOLDER_TITLE}", "",
             f"```{{rn:issue}} {issue_id}"]
    if bz:
        lines.append(f":bz: {', '.join(map(str, bz))}")
    if jira:
        lines.append(f":jira: {', '.join(jira)}")
    lines += [f":component: {args.component}", f":releases: {', '.join(args.release)}".rstrip(),
              f":kind: {kind.value}"]
    if args.fixed_in is not None:
        lines.append(f":fixed-in: {args.fixed_in}")
    if retired is not None:
        lines.append(f":retired: {retired.since}: {retired.reason}")
    if topics:
        lines.append(f":topics: {', '.join(topics)}")
    lines += ["```", "",
              "## Symptom", "",
              "% What readers see, on which releases, and when.", "",
              "## Workaround", "",
              "% Each command or XML file a reader copies is a file under snippets/"
              f"{args.component}/{issue_id}/,",
              "% shown with a rn:snippet fence and checked by the .check.toml beside it.", ""]
    return page, "\n".join(lines)


def _declaring_page(source: Path, issue_id: str) -> Path | None:
    """A page that declares ``issue_id`` already (its file may be named otherwise)."""
    from relnotes.core.lint import find_pages
    from relnotes.core.pages import read_page

    needle = f"{{rn:issue}} {issue_id}"
    for file in find_pages(source).values():
        text = file.read_text(encoding="utf-8")
        if needle in text and any(d.name == "rn:issue" and d.argument == issue_id
                                  for d in read_page(text).directives):
            return file
    return None
