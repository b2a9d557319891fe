"""``python -m relnotes.verify``: run the snippet checks, or merge ledgers.

    python -m relnotes.verify run [--target T ...] [--force] [--jobs N]
                                  [--snippets-dir snippets] [--out _build/verification]
                                  [--snippet-size-limit BYTES]
    python -m relnotes.verify merge a.json b.json -o out.json
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from relnotes.ledger import LedgerError, merge_files, write_ledger
from relnotes.paths import DEFAULT_SNIPPET_SIZE_LIMIT
from relnotes.spec import SpecError

DEFAULT_TARGETS = ("bookworm", "trixie")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m relnotes.verify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="verify every snippet against libvirt in containers")
    run.add_argument("--target", action="append", dest="targets", metavar="TARGET",
                     help="container target (repeatable; default: bookworm and trixie)")
    run.add_argument("--force", action="store_true", help="re-run checks that already passed")
    run.add_argument("--jobs", type=int, default=2, help="checks run at once per daemon")
    run.add_argument("--snippets-dir", type=Path, default=Path("snippets"))
    run.add_argument("--out", type=Path, default=Path("_build/verification"))
    run.add_argument("--snippet-size-limit", type=int, default=DEFAULT_SNIPPET_SIZE_LIMIT,
                     metavar="BYTES", help="largest snippet file checked (0: no limit)")
    run.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                     help="accelerator for the guests (default: KVM when usable)")
    merge = commands.add_parser("merge", help="merge ledgers; the newest result wins")
    merge.add_argument("ledgers", nargs="+", type=Path)
    merge.add_argument("-o", "--output", type=Path, required=True)
    return parser


def _run(args: argparse.Namespace) -> int:
    from relnotes.verify.container import ContainerError, running_daemon
    from relnotes.verify.runner import LEDGER_NAME, run

    def factory(target: str) -> running_daemon:  # type: ignore[valid-type]
        return running_daemon(target, accelerator=args.accel)

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
        result = run(args.snippets_dir, args.out, args.targets or DEFAULT_TARGETS, factory,
                     force=args.force, jobs=args.jobs, stop=stop,
                     size_limit=args.snippet_size_limit)
    except (SpecError, LedgerError, ContainerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if result.interrupted:
        print(f"interrupted: {len(result.records)} results obtained before it kept in "
              f"{args.out / LEDGER_NAME}; containers and guests removed", file=sys.stderr)
        return 128 + received[0]  # the shell's convention: 130 for Ctrl-C, 143 for TERM
    print(f"({result.ran} checks ran, {result.reused} reused; ledger in {args.out})")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return _run(args) if args.command == "run" else _merge(args)


if __name__ == "__main__":
    sys.exit(main())
