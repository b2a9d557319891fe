"""``relnotes publish``: the gated build, moved into place only when every shown snippet is verified.

The site is built with the publish gate on (``relnotes_require_verified``), every warning an
error, into a staging folder beside the output; a refused or failed build stops there, so
nothing of it reaches the output folder. A build that passes replaces the old site by renames,
so a reader of the output never sees half of one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "publish", help="the gated build: publishes only a site whose every snippet is verified",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 published, 1 refused (a snippet not verified, or any warning); "
               "nothing is written to the output then.",
    )
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where the published site goes (default: _build/html in the site)")
    parser.add_argument("--source", type=Path, default=Path("source"), metavar="DIR",
                        help="the pages, relative to the site (default: %(default)s)")
    parser.add_argument("--jobs", default="auto", metavar="N",
                        help="sphinx-build -j (default: %(default)s)")
    parser.set_defaults(run=_publish)


def _publish(args: argparse.Namespace) -> int:
    from sphinx.cmd.build import build_main

    root = args.settings.root
    out = (args.out or root / "_build" / "html").resolve()
    staging = out.with_name(out.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    code = build_main(["-nW", "--keep-going", "-j", str(args.jobs), "-c", str(root), "-b", "html",
                       "-D", "relnotes_require_verified=1", str(root / args.source), str(staging)])
    if code != 0:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"error: the site was not published; {out} is unchanged", file=sys.stderr)
        return 1
    promote(staging, out)
    print(f"published {out}")
    return 0


def promote(staging: Path, out: Path) -> None:
    """Swap ``staging`` in for ``out`` by renames."""
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
