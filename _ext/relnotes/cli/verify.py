"""``relnotes verify``: run every snippet's check on the site's targets; ``merge`` ledgers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relnotes.core.ledger import LedgerError, merge_files, write_ledger
from relnotes.core.settings import ACCELERATOR_CHOICES
from relnotes.core.spec import SpecError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "verify", help="verify every snippet against libvirt in containers",
        description="Run every snippet's check on each target (from relnotes.toml) and write "
                    "the ledger and a JUnit report beside it. Checks whose inputs did not change "
                    "since they passed are reused.",
        epilog="Exit codes: 0 every check passed or failed as declared, 1 a check failed or a "
               "daemon could not start, 2 bad input (a spec or the ledger).",
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
    parser.set_defaults(run=_run)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    merge = actions.add_parser("merge", help="merge ledgers from several runs or machines",
                               description="Merge ledgers into one; a later run's record wins.")
    merge.add_argument("ledgers", nargs="+", type=Path, metavar="LEDGER")
    merge.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    merge.set_defaults(run=_merge)


def _run(args: argparse.Namespace) -> int:
    from relnotes.engine.container import ContainerError, running_daemon
    from relnotes.engine.runner import run

    settings = args.settings
    accelerator = args.accel or settings.accelerator

    def factory(target: str) -> running_daemon:  # type: ignore[valid-type]
        return running_daemon(target, accelerator=accelerator)

    out = args.out or settings.verification_dir
    try:
        result = run(settings.snippets_dir, out, args.targets or settings.targets, factory,
                     force=args.force, jobs=args.jobs)
    except (SpecError, LedgerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ContainerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"({result.ran} checks ran, {result.reused} reused; ledger in {out})")
    print(result.summary())
    return 0 if result.ok else 1


def _merge(args: argparse.Namespace) -> int:
    try:
        ledger = merge_files(args.ledgers)
    except LedgerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_ledger(ledger, args.output)
    print(f"merged {len(args.ledgers)} ledgers: {len(ledger.records)} records -> {args.output}")
    return 0
