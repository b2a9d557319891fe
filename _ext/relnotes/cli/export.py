"""``relnotes export asciidoc|jira-text``: the site's notes as the portal's pipeline and the
tracker take them, from the same pages and ledger the site is built from.

The export is a Sphinx build with the export's builder, gated like ``relnotes publish``
(every warning an error, every shown snippet verified): a site the gate refuses is refused
the same way, and nothing reaches the output folder. ``--draft`` exports without the gate,
for a writer's review; such files are not for publication.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from relnotes.cli.build import BadOutput, claim_output
from relnotes.cli.site import BUILDABLE
from relnotes.core.outputs import OutputKind

FORMATS = {"asciidoc": "relnotes-asciidoc", "jira-text": "relnotes-jira-text"}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser(
        "export", help="the notes as AsciiDoc per release, or each ticket's Release Note Text",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 exported, 1 refused (a snippet not verified, or any warning); "
               "nothing is written to the output then.")
    export.add_argument("format", choices=sorted(FORMATS),
                        help="asciidoc: <release>.adoc per release, a chapter per release note "
                             "type; jira-text: <ticket>.txt per ticket, in Jira's wiki markup")
    export.add_argument("--out", type=Path, metavar="DIR",
                        help="where the files go: absent, empty, or an earlier export "
                             "(default: _build/<format> in the site)")
    export.add_argument("--source", type=Path, default=Path("source"), metavar="DIR",
                        help="the pages, relative to the site (default: %(default)s)")
    export.add_argument("--language", metavar="L",
                        help="one of relnotes.toml's languages: the notes as that language's "
                             "pages and catalogs give them (default: the first, the source "
                             "language); another language goes to _build/<format>-<L>")
    export.add_argument("--draft", action="store_true",
                        help="export without the publish gate (a review copy, not for "
                             "publication)")
    export.set_defaults(run=_export, site_files=BUILDABLE)


def _export(args: argparse.Namespace) -> int:
    settings = args.settings
    root: Path = settings.root
    language = args.language or settings.languages[0]
    if language not in settings.languages:
        print(f"error: --language {language!r} is not one of relnotes.toml's languages "
              f"({', '.join(settings.languages)})", file=sys.stderr)
        return 2
    translated = language != settings.languages[0]
    name = f"{args.format}-{language}" if translated else args.format
    try:
        output = claim_output(args, OutputKind.EXPORT, Path("_build") / name)
    except BadOutput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = output.path
    staging = output.staging()
    options = ["-nW", "--keep-going"]
    if not args.draft:
        options += ["-D", "relnotes_require_verified=1"]
    if translated:
        options += ["-D", f"language={language}"]
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", *options, "-c", str(root),
         "-d", str(root / "_build" / f"doctrees-{name}"),
         "-b", FORMATS[args.format], str(root / args.source), str(staging)], check=False)
    if done.returncode != 0:
        output.discard(staging)
        print(f"error: nothing was exported; {out} is unchanged", file=sys.stderr)
        return 1
    output.promote(staging)
    print(f"exported {out}")
    return 0
