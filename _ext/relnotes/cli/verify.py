"""``relnotes verify``: run every snippet's check on the site's targets; ``merge``, ``diff`` ledgers."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from relnotes.cli.extras import VERIFY, require
from relnotes.cli.site import ANY_SITE, require_site
from relnotes.core.environment import ACCELERATOR_CHOICES
from relnotes.core.targets import TARGET_NAMES

if TYPE_CHECKING:
    from relnotes.core.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "verify", help="verify every snippet against libvirt in containers",
        description="Run every snippet's check on each target (from relnotes.toml) and write "
                    "the ledger and a JUnit report beside it. Checks whose inputs did not change "
                    "since they passed are reused.",
        epilog="Exit codes: 0 every check passed or failed as declared, 1 a check failed or a "
               "target could not be verified (the others still are, and are recorded), 2 bad "
               "input (a spec, the ledger, an unknown target), 130 interrupted by Ctrl-C "
               "(143 by TERM): the results obtained are kept, containers removed.",
    )
    parser.add_argument("--target", action="append", dest="targets", metavar="TARGET",
                        help="verify on this target only (repeatable; default: the site's targets)")
    parser.add_argument("--force", action="store_true", help="re-run checks that already passed")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="checks run at once per daemon (default: %(default)s)")
    parser.add_argument("--accel", choices=ACCELERATOR_CHOICES,
                        help="guests' accelerator (default: the site's, else KVM when usable)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where the ledger and JUnit go (default: beside the site's ledger)")
    parser.add_argument("--snippets-dir", type=Path, metavar="DIR",
                        help="verify the snippets of this folder (default: the site's)")
    parser.add_argument("--snippet-size-limit", type=int, metavar="BYTES",
                        help="largest snippet file checked (default: the site's)")
    parser.set_defaults(run=_run)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    merge = actions.add_parser(
        "merge", help="merge ledgers from several runs or machines",
        description="Merge ledgers into one: per snippet and target, each machine's latest "
                    "run (by its start time) stands; runs of the same inputs on different "
                    "machines that disagree are conflicting. Records of a target the harness "
                    "does not know are left out, with a warning.",
        epilog="Exit codes: 0 merged, 2 a ledger cannot be read (malformed, a record dated in "
               "the future or numbered beyond its ledger's last run) or records conflict: "
               "each is named with where it was read, and nothing is written.")
    merge.add_argument("ledgers", nargs="+", type=Path, metavar="LEDGER")
    merge.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    merge.set_defaults(run=_merge)  # ledgers anywhere: no site needed
    diff = actions.add_parser(
        "diff", help="what changed between two ledgers (drift)",
        description="Compare two ledgers (e.g. the published one and a new run) and name what "
                    "stopped being green (failed, indistinct, baseline changed, conflicting...), "
                    "became stale (the snippet or any input of its check changed) or is no "
                    "longer verified, and what became passing.",
        epilog="Exit codes: 0 nothing needs attention, 1 a green result became anything not "
               "green, or a result became stale or missing, 2 a ledger is missing or "
               "malformed or a target unknown.")
    diff.add_argument("old", type=Path, help="the earlier ledger (e.g. the published one)")
    diff.add_argument("new", type=Path, help="the ledger of the new run")
    diff.add_argument("--target", action="append", dest="targets", metavar="TARGET",
                      help="compare only this target (repeatable; default: every target)")
    diff.add_argument("--snippets-dir", type=Path, metavar="DIR",
                      help="snippets whose current bytes decide what is stale (default: the site's)")
    diff.add_argument("--markdown", type=Path, metavar="FILE",
                      help="also append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)")
    diff.add_argument("--junit", type=Path, metavar="FILE",
                      help="also write JUnit XML: drift that needs attention is a failure")
    diff.set_defaults(run=_diff)


def _unknown_target(names: list[str] | None) -> str | None:
    unknown = [name for name in names or () if name not in TARGET_NAMES]
    if unknown:
        return f"unknown target {unknown[0]!r} (known: {', '.join(TARGET_NAMES)})"
    return None


def _run(args: argparse.Namespace) -> int:
    if args.snippets_dir is None:  # the site's snippets: there must be a site
        require_site(args.site, ANY_SITE)
    require(VERIFY, "verify")
    from relnotes.core.ledger import LedgerError
    from relnotes.core.spec import SpecError
    from relnotes.engine.container import ContainerError, running_daemon
    from relnotes.engine.container.reaper import reap_orphans
    from relnotes.engine.reuse import image_identity
    from relnotes.engine.runner import TargetsFailedError, run

    if problem := _unknown_target(args.targets):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    settings = args.settings
    accelerator = args.accel or settings.accelerator
    # Every run, even one that reuses every record and starts no daemon, removes what runs
    # killed outright (SIGKILL, a power cut) left running.
    try:
        reap_orphans()
    except ContainerError as error:
        print(f"warning: could not look for what killed runs left: {error}", file=sys.stderr)

    def factory(target: str) -> running_daemon:  # type: ignore[valid-type]
        return running_daemon(target, accelerator=accelerator)

    # The site's ledger itself, or a file of the same name in --out (one per CI job, merged).
    out = args.out or settings.ledger.parent
    if problem := _out_problem(out, settings):
        print(f"error: --out {out}: {problem}", file=sys.stderr)
        return 2
    stop = threading.Event()
    received: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        # No KeyboardInterrupt: the run stops itself, keeping what it has and cleaning up.
        # A second Ctrl-C (or a TERM) lands here too, so it cannot cut the cleanup short.
        received.append(signum)
        stop.set()

    previous = {signum: signal.signal(signum, interrupt)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        snippets_dir = args.snippets_dir or settings.snippets_dir
        result = run(snippets_dir, out, args.targets or settings.targets, factory,
                     force=args.force, jobs=args.jobs, stop=stop,
                     size_limit=args.snippet_size_limit or settings.snippet_size_limit,
                     identity=lambda target: image_identity(target, accelerator),
                     ledger_name=settings.ledger.name)
    except TargetsFailedError as error:
        # The other targets were verified and recorded: report them, then what failed.
        print(f"({error.result.ran} checks ran, {error.result.reused} reused; ledger in {out})")
        print(error.result.summary())
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (SpecError, LedgerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ContainerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if result.interrupted:
        print(f"interrupted: {len(result.records)} results obtained before it kept in "
              f"{out / settings.ledger.name}; containers and guests removed", file=sys.stderr)
        return 128 + received[0]  # the shell's convention: 130 for Ctrl-C, 143 for TERM
    print(f"({result.ran} checks ran, {result.reused} reused; ledger in {out})")
    print(result.summary())
    return 0 if result.ok else 1


def _out_problem(out: Path, settings: Settings) -> str | None:
    """Why ``out`` cannot take the ledger and JUnit report, or None: never the site folder
    itself, its pages or its snippets (the same rule as the ``ledger`` setting's)."""
    real = out.resolve()
    if out.exists() and not out.is_dir():
        return "is not a folder"
    if real == settings.root:
        return "is the site folder; the ledger goes in a folder of its own"
    for folder in (settings.root / "source", settings.snippets_dir):
        if real.is_relative_to(folder.resolve()) and folder.resolve() != settings.root:
            return f"is inside {folder.name}/, a folder of the site's own"
    return None


def _merge(args: argparse.Namespace) -> int:
    from relnotes.core.ledger import LedgerError, merge_streams

    for path in args.ledgers:
        if path.is_dir():
            print(f"error: {path}: is a folder, not a ledger", file=sys.stderr)
            return 2
        if not os.path.lexists(path):  # load_ledger reads a missing file as empty: a mistake here
            print(f"error: {path}: no such ledger", file=sys.stderr)
            return 2
    if (args.output.exists() and not args.output.is_file()) or args.output.is_symlink():
        print(f"error: {args.output}: -o names a folder or a link, not a ledger file",
              file=sys.stderr)
        return 2
    try:
        # Streamed: many large ledgers merge in bounded memory; written only when it succeeds.
        merged = merge_streams(args.ledgers, TARGET_NAMES, args.output)
    except LedgerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for warning in merged.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if merged.conflicts:
        for conflict in merged.conflicts:
            print(f"error: {conflict}", file=sys.stderr)
        print(f"error: {len(merged.conflicts)} conflicting result(s); {args.output} not "
              "written", file=sys.stderr)
        return 2
    print(f"merged {len(args.ledgers)} ledgers: {merged.records} records -> {args.output}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from relnotes.core.atomic import write_atomic
    from relnotes.core.ledger import LedgerError, load_ledger, sha256_of
    from relnotes.core.lifecycle import no_longer_reproduced_candidates
    from relnotes.core.plan import Check, plan_loadable_checks
    from relnotes.core.spec import snippet_files, snippet_key
    from relnotes.engine.drift import compare, junit_report, markdown_report, text_report

    if problem := _unknown_target(args.targets):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    for path in (args.old, args.new):
        if not path.is_file():  # load_ledger reads a missing file as empty; here it is a mistake
            print(f"error: {path}: no such ledger", file=sys.stderr)
            return 2
    try:
        old, new = load_ledger(args.old), load_ledger(args.new)
    except LedgerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    snippets_dir = args.snippets_dir or args.settings.snippets_dir
    current = None
    checks: dict[str, Check] = {}
    if snippets_dir.is_dir():
        current = {snippet_key(p, snippets_dir): sha256_of(p) for p in snippet_files(snippets_dir)}
        # Stale as the site judges it: by every input of the check, not only the bytes.
        checks = {member.snippet: check for check in plan_loadable_checks(
            snippets_dir, args.settings.snippet_size_limit) for member in check.members}

    def inputs(snippet: str, target: str) -> dict[str, str] | None:
        check = checks.get(snippet)
        return check.inputs(target) if check is not None else None

    report = compare(old, new, current=current, targets=args.targets, inputs=inputs)
    print(text_report(report), end="")
    # For writers, not a failure: the problem no longer shows where it did.
    candidates = no_longer_reproduced_candidates(old, new, args.targets)
    for candidate in candidates:
        print(candidate.words())
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        with args.markdown.open("a", encoding="utf-8") as stream:  # a job summary accumulates
            stream.write(markdown_report(report))
            if candidates:
                stream.write("### Candidates: no longer reproduced\n\n"
                             + "".join(f"- {c.words().removeprefix('candidate: ')}\n"
                                       for c in candidates) + "\n")
    if args.junit:
        write_atomic(args.junit, junit_report(report))
    return 1 if report.needs_attention else 0
