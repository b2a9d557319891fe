"""``relnotes import``: the argparse subcommand, mountable under any ``relnotes`` parser."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from relnotes.core.terminal import printable
from relnotes.importing.bugzilla_api import API_KEY_VARIABLE, DEFAULT_TIMEOUT
from relnotes.importing.jira_api import TOKEN_VARIABLE

# The importer's parsing and writing are imported when it runs: `relnotes --help` and the
# other subcommands do not pay for them.
if TYPE_CHECKING:
    from relnotes.importing.document import Imported
    from relnotes.importing.writer import Plan

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_NOT_A_SITE = 2


def add_import_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Mount ``import`` (with its ``bugzilla`` and ``text`` forms) on a ``relnotes`` parser."""
    parser = subparsers.add_parser(
        "import", help="bring existing release notes in (Bugzilla, a published section)",
        description="Import release notes into a site folder as issue pages and snippets.",
        epilog="Exit codes: 0 imported, 1 bad input (nothing written), 2 --into is not a site.")
    configure_parser(parser)
    parser.set_defaults(run=run_import)


#: The ``relnotes`` command's convention: each subcommand module has ``register(commands)``.
register = add_import_parser


def configure_parser(parser: argparse.ArgumentParser) -> None:
    sources = parser.add_subparsers(dest="form", required=True,
                                    metavar="{bugzilla,jira,text}")
    bugzilla = sources.add_parser(
        "bugzilla", help="bugs from Bugzilla's REST API: a saved response or a server URL",
        description=f"SOURCE is a saved GET /rest/bug response (JSON) or the URL of a query "
                    f"on a Bugzilla server; ${API_KEY_VARIABLE}, when set, is sent as the API "
                    "key (in a header; it is never written anywhere).")
    bugzilla.add_argument("source", metavar="SOURCE")
    bugzilla.add_argument("--component", help="component of every imported issue "
                                              "(default: the bug's first component)")
    bugzilla.add_argument("--release", help="affected release (default: the bug's version)")
    bugzilla.add_argument("--kind-map", action="append", default=[], metavar="DOCTYPE=KIND",
                          help="map another doc type to a kind (repeatable)")
    bugzilla.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                          help="seconds to wait for each answer of the server (default 30)")
    jira = sources.add_parser(
        "jira", help="tickets from Jira's REST search: a saved response or a search URL",
        description=f"SOURCE is a saved GET /rest/api/2/search response (JSON) or the URL "
                    f"of a search (its jql=...) on a Jira server; ${TOKEN_VARIABLE}, when "
                    "set, is sent as a bearer token (in a header; it is never written "
                    "anywhere). The Release Note Type, Text and Status field ids are "
                    "relnotes.toml's [jira] type_field, text_field, status_field.")
    jira.add_argument("source", metavar="SOURCE")
    jira.add_argument("--component", help="component of every imported issue "
                                          "(default: the ticket's first component)")
    jira.add_argument("--release", help="release of every imported issue (default: the "
                                        "ticket's fix versions, else its affected versions)")
    jira.add_argument("--kind-map", action="append", default=[], metavar="TYPE=KIND",
                      help="map another Release Note Type to a kind (repeatable)")
    jira.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                      help="seconds to wait for each answer of the server (default 30)")
    jira.add_argument("--strict", action="store_true",
                      help="a ticket that cannot be imported stops the import (nothing is "
                           "written); without it, such tickets are listed and left out")
    text = sources.add_parser(
        "text", help="one Technical Notes section as copied from the portal",
        description="FILE is the plain text of one section: a numbered heading, an "
                    "introduction, one bullet (•) per issue.")
    text.add_argument("file", metavar="FILE", type=Path)
    text.add_argument("--component", required=True)
    text.add_argument("--release", help="affected release of every issue")
    for sub in (bugzilla, jira, text):
        sub.add_argument("--into", type=Path, default=None, metavar="DIR",
                         help="the site folder (conf.py, relnotes.toml, source/, snippets/); "
                              "default: relnotes --site, else here")
        sub.add_argument("--update", action="store_true",
                         help="rewrite files the input changed, unless edited since the "
                              "import; show the difference for those")


def run_import(args: argparse.Namespace, out: TextIO | None = None,
               err: TextIO | None = None) -> int:
    from relnotes.importing.document import BadInput
    from relnotes.importing.writer import check_site, plan, write

    out = out or sys.stdout
    err = err or sys.stderr
    if args.into is None:
        args.into = getattr(args, "site", None) or Path(".")
    try:
        check_site(args.into)
    except BadInput as error:  # as every command outside a site: one line, exit 2
        print(printable(f"relnotes import: {error}"), file=err)
        return EXIT_NOT_A_SITE
    try:
        imported = _read(args)
        if not imported.notes:
            for line in imported.skipped:
                print(printable(f"skipped: {line}"), file=err)
            for line in imported.faults:
                print(printable(f"fault: {line}"), file=err)
            raise BadInput(_input_name(args), "nothing to import"
                           + (f" ({len(imported.skipped)} skipped)" if imported.skipped else ""))
        planned = plan(imported, args.into, update=args.update)
        write(planned)
    except BadInput as error:
        print(printable(f"relnotes import: {error}"), file=err)
        print("relnotes import: nothing written", file=err)
        return EXIT_BAD_INPUT
    _report(imported, planned, args.update, out)
    return EXIT_OK


def _input_name(args: argparse.Namespace) -> str:
    return str(args.file if args.form == "text" else args.source)


def _read(args: argparse.Namespace) -> Imported:
    from relnotes.importing.bugzilla import bugs_from_json, fetch_bugs, notes_from_bugs, parse_kind_map
    from relnotes.importing.inputs import read_bytes
    from relnotes.importing.section_text import parse_section

    if args.form == "text":
        return parse_section(read_bytes(args.file), str(args.file), args.component, args.release)
    if args.form == "jira":
        return _read_jira(args)
    kind_map = parse_kind_map(args.kind_map)
    source: str = args.source
    if source.startswith(("http://", "https://")):
        api_key = os.environ.get(API_KEY_VARIABLE) or None
        bugs = fetch_bugs(source, api_key=api_key, timeout=args.timeout)
        where = source.split("?", 1)[0]
    else:
        bugs = bugs_from_json(read_bytes(Path(source)), source)
        where = source
    return notes_from_bugs(bugs, where, component=args.component, release=args.release,
                           kind_map=kind_map)


def _read_jira(args: argparse.Namespace) -> Imported:
    from relnotes.core.located_toml import LocatedError
    from relnotes.core.settings import load_settings
    from relnotes.importing.bugzilla import parse_kind_map
    from relnotes.importing.document import BadInput
    from relnotes.importing.inputs import read_bytes
    from relnotes.importing.jira import JiraFields, fetch_issues, issues_from_json, notes_from_issues

    try:
        settings = load_settings(args.into)
    except LocatedError as error:
        raise BadInput(str(error.file), error.message, error.line) from None
    fields = JiraFields(settings.jira_type_field, settings.jira_text_field,
                        settings.jira_status_field)
    kind_map = parse_kind_map(args.kind_map)
    source: str = args.source
    if source.startswith(("http://", "https://")):
        token = os.environ.get(TOKEN_VARIABLE) or None
        issues = fetch_issues(source, token=token, fields=fields, timeout=args.timeout)
        where = source.split("?", 1)[0]
    else:
        issues = issues_from_json(read_bytes(Path(source)), source)
        where = source
    return notes_from_issues(issues, where, fields=fields, component=args.component,
                             release=args.release, kind_map=kind_map, strict=args.strict,
                             releases=settings.releases)


def _report(imported: Imported, planned: Plan, update: bool, out: TextIO) -> None:
    from relnotes.importing.writer import Action

    counted = {Action.CREATE: "created", Action.UPDATE: "updated", Action.UNCHANGED: "unchanged",
               Action.CHANGED: "changed but not written", Action.KEPT: "kept as edited"}
    for note, issue_id in planned.mapping:
        tickets = [*(f"BZ#{n}" for n in note.bz), *note.jira]
        cited = f" [{', '.join(tickets)}]" if tickets else ""
        print(printable(f"{note.origin} -> {issue_id}{cited}"), file=out)
    for line in [*imported.skipped, *planned.skipped]:
        print(printable(f"skipped: {line}"), file=out)
    for line in imported.faults:
        print(printable(f"fault (not imported; fix the ticket, or --strict to stop on it): "
                        f"{line}"), file=out)
    for line in imported.needs_editing:
        print(printable(f"needs editing: {line}"), file=out)
    for action in (Action.CHANGED, Action.KEPT):
        for planned_file in planned.by_action(action):
            print(printable(f"not written: {planned_file.path}: {action.value}"), file=out)
            if update and action is Action.KEPT:
                out.write(printable(planned_file.diff()))
    for path in planned.dropped:
        print(printable(f"no longer imported: {path} (left in place; remove it by hand if "
                        "unused)"), file=out)
    counts = {action: len(planned.by_action(action)) for action in Action}
    bz = {n for note, _ in planned.mapping for n in note.bz}
    snippets = sum(len(note.snippets()) for note, _ in planned.mapping)
    print(f"{len(planned.mapping)} issues, {len(bz)} BZ numbers, {snippets} snippets: "
          + ", ".join(f"{counts[a]} {counted[a]}" for a in Action), file=out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="relnotes import",
                                     description="Import release notes into a site folder.")
    configure_parser(parser)
    return run_import(parser.parse_args(argv))
