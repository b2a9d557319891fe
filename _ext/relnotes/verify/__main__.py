"""``python -m relnotes.verify``: run the snippet checks, or merge ledgers.

    python -m relnotes.verify run [--target T ...] [--force] [--jobs N]
                                  [--snippets-dir snippets] [--out _build/verification]
    python -m relnotes.verify merge a.json b.json -o out.json
    python -m relnotes.verify diff OLD.json NEW.json [--target T ...] [--snippets-dir snippets]
                                   [--markdown FILE] [--junit FILE]

merge warns about (and leaves out) records for targets that are not declared.
diff exits 0 when nothing needs attention, 1 when a result became failing or stale or is
no longer verified, 2 when a ledger cannot be read or a target is unknown.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from relnotes.ledger import LedgerError, write_ledger
from relnotes.spec import SpecError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m relnotes.verify", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="verify every snippet against libvirt in containers")
    run.add_argument("--target", action="append", dest="targets", metavar="TARGET",
                     help="container target (repeatable; default: every declared target)")
    run.add_argument("--force", action="store_true", help="re-run checks that already passed")
    run.add_argument("--jobs", type=int, default=2, help="checks run at once per daemon")
    run.add_argument("--snippets-dir", type=Path, default=Path("snippets"))
    run.add_argument("--out", type=Path, default=Path("_build/verification"))
    run.add_argument("--accel", choices=("auto", "kvm", "tcg"), default="auto",
                     help="accelerator for the guests (default: KVM when usable)")
    merge = commands.add_parser("merge", help="merge ledgers; the newest result wins")
    merge.add_argument("ledgers", nargs="+", type=Path)
    merge.add_argument("-o", "--output", type=Path, required=True)
    diff = commands.add_parser("diff", help="what changed between two ledgers (drift)")
    diff.add_argument("old", type=Path, help="the earlier ledger (e.g. the published one)")
    diff.add_argument("new", type=Path, help="the ledger of the new run")
    diff.add_argument("--target", action="append", dest="targets", metavar="TARGET",
                      help="compare only this target (repeatable; default: every target)")
    diff.add_argument("--snippets-dir", type=Path, default=Path("snippets"),
                      help="snippets whose current bytes decide what is stale")
    diff.add_argument("--markdown", type=Path, metavar="FILE",
                      help="also write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)")
    diff.add_argument("--junit", type=Path, metavar="FILE",
                      help="also write JUnit XML: drift that needs attention is a failure")
    return parser


def _run(args: argparse.Namespace) -> int:
    from relnotes.verify.container import TARGETS, ContainerError, running_daemon
    from relnotes.verify.reuse import image_identity
    from relnotes.verify.runner import TargetsFailedError, run

    def factory(target: str) -> running_daemon:  # type: ignore[valid-type]
        return running_daemon(target, accelerator=args.accel)

    try:
        result = run(args.snippets_dir, args.out, args.targets or list(TARGETS), factory,
                     force=args.force, jobs=args.jobs,
                     identity=lambda target: image_identity(target, args.accel))
    except TargetsFailedError as error:
        # The other targets were verified and recorded: report them, then what failed.
        print(f"({error.result.ran} checks ran, {error.result.reused} reused; "
              f"ledger in {args.out})")
        print(error.result.summary())
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (SpecError, LedgerError, ContainerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"({result.ran} checks ran, {result.reused} reused; ledger in {args.out})")
    print(result.summary())
    return 0 if result.ok else 1


def _merge(args: argparse.Namespace) -> int:
    from relnotes.verify.container.targets import TARGETS
    from relnotes.verify.merging import merge_declared

    try:
        merged = merge_declared(args.ledgers, TARGETS)
    except LedgerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for warning in merged.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    ledger = merged.ledger
    write_ledger(ledger, args.output)
    print(f"merged {len(args.ledgers)} ledgers: {len(ledger.records)} records -> {args.output}")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from relnotes.ledger import load_ledger, sha256_of
    from relnotes.spec import snippet_files, snippet_key
    from relnotes.verify.container.targets import TARGETS
    from relnotes.verify.drift import compare, junit_report, markdown_report, text_report

    unknown = [t for t in args.targets or () if t not in TARGETS]
    if unknown:
        print(f"error: unknown target {unknown[0]!r} (declared: {', '.join(TARGETS)})",
              file=sys.stderr)
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
    current = None
    if args.snippets_dir.is_dir():
        current = {snippet_key(p, args.snippets_dir): sha256_of(p)
                   for p in snippet_files(args.snippets_dir)}
    report = compare(old, new, current=current, targets=args.targets)
    print(text_report(report), end="")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        with args.markdown.open("a", encoding="utf-8") as stream:  # a job summary accumulates
            stream.write(markdown_report(report))
    if args.junit:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_bytes(junit_report(report))
    return 1 if report.needs_attention else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"run": _run, "merge": _merge, "diff": _diff}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
