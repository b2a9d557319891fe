"""``relnotes build`` (a preview) and ``relnotes publish`` (the gated build), in every language.

The site's languages come from ``relnotes.toml``: the first is built at the output's root,
each other under ``<language>/``. Each language is a Sphinx build of its own, run in a process
of its own (Sphinx keeps one set of translations per process).

``publish`` builds with the publish gate on (``relnotes_require_verified``) and every warning
an error, into a staging folder beside the output; a refused or failed build stops there, so
nothing of it reaches the output folder. A build that passes replaces the old site by renames,
so a reader of the output never sees half of one.

Each writes only a folder it owns (``relnotes.core.outputs``): a preview goes to
``_build/preview``, the published site to ``_build/html``, and neither replaces a folder holding
anything it did not write.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from relnotes.cli.site import BUILDABLE
from relnotes.core.feed import archive_published_ledger
from relnotes.core.outputs import (
    PREVIEW_DIR,
    PUBLISHED_DIR,
    OutputError,
    OutputKind,
    OwnedOutput,
    claim,
    mark,
)
from relnotes.core.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build = commands.add_parser(
        "build", help="build the site in every language (a preview: badges as the ledger says)",
        description="Build the site in every language of relnotes.toml into the output folder.",
        epilog="Exit codes: 0 built, 1 a build failed (or, with --strict, warned), 2 the "
               "output folder is not one relnotes may write.")
    build.add_argument("--strict", action="store_true",
                       help="nitpicky, and every warning an error (-nW --keep-going)")
    _common(build)
    build.set_defaults(run=_build, site_files=BUILDABLE)
    publish = commands.add_parser(
        "publish", help="the gated build: publishes only a site whose every snippet is verified",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 published, 1 refused (a snippet not verified, or any warning); "
               "nothing is written to the output then; 2 the output folder is not one "
               "relnotes may write (nothing touched).")
    _common(publish)
    publish.set_defaults(run=_publish, site_files=BUILDABLE)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where the site goes: absent, empty, or this command's earlier "
                             "output (default: _build/preview for build, _build/html for "
                             "publish)")
    parser.add_argument("--source", type=Path, default=Path("source"), metavar="DIR",
                        help="the pages, relative to the site (default: %(default)s)")
    parser.add_argument("--jobs", default="auto", metavar="N",
                        help="sphinx-build -j (default: %(default)s)")


def build_languages(settings: Settings, source: Path, out: Path, *, strict: bool,
                    gated: bool, jobs: str) -> bool:
    """Build every language into ``out`` (the first at its root); False at the first failure."""
    root = settings.root
    for index, language in enumerate(settings.languages):
        options = ["-nW", "--keep-going"] if strict or gated else []
        if gated:
            options += ["-D", "relnotes_require_verified=1"]
        if index:
            options += ["-D", f"language={language}"]
        # Doctrees beside the outputs, never inside one: a published folder is deployed whole,
        # and a publish's fresh staging folder would otherwise rebuild every page every time.
        options += ["-d", str(root / "_build" / f"doctrees-{language}")]
        target = out / language if index else out
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-j", jobs, *options, "-c", str(root), "-b", "html",
             str(root / source), str(target)], check=False)
        if done.returncode != 0:
            return False
    return True


def claim_output(args: argparse.Namespace, kind: OutputKind, default: Path) -> OwnedOutput:
    """The ``--out`` folder (else ``default`` in the site), claimed for ``kind``."""
    settings: Settings = args.settings
    out = args.out if args.out is not None else settings.root / default
    protected = (settings.root / args.source, settings.snippets_dir, settings.verification_dir)
    try:
        return claim(out, kind, site=settings.root, protected=protected)
    except OutputError as error:
        raise BadOutput(error) from None


class BadOutput(Exception):
    """The output folder named cannot be written (exit 2, nothing touched)."""


def _build(args: argparse.Namespace) -> int:
    try:
        output = claim_output(args, OutputKind.PREVIEW, PREVIEW_DIR)
    except BadOutput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = output.path
    # In place (incremental builds stay fast); marked first, so the next build knows it.
    out.mkdir(parents=True, exist_ok=True)
    mark(out, OutputKind.PREVIEW)
    ok = build_languages(args.settings, args.source, out, strict=args.strict, gated=False,
                         jobs=str(args.jobs))
    if not ok:
        print("error: the site did not build", file=sys.stderr)
        return 1
    print(f"built a preview in {out} ({', '.join(args.settings.languages)}); "
          "only relnotes publish writes the deployed site")
    return 0


def _publish(args: argparse.Namespace) -> int:
    try:
        output = claim_output(args, OutputKind.PUBLISHED, PUBLISHED_DIR)
    except BadOutput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = output.path
    staging = output.staging()
    if not build_languages(args.settings, args.source, staging, strict=True, gated=True,
                           jobs=str(args.jobs)):
        output.discard(staging)
        print(f"error: the site was not published; {out} is unchanged", file=sys.stderr)
        return 1
    output.promote(staging)
    # The ledger this publish showed: the next publish's feed says what changed since.
    archive_published_ledger(args.settings.ledger)
    print(f"published {out}")
    return 0
