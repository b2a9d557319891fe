"""``relnotes check``: the site's pages, references and check specs, linted without a build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relnotes.cli.site import ANY_SITE

DEFAULT_SOURCE = "source"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check", help="lint pages, references and check specs without building",
        description="Apply the build's rules to every page (issue fields, kinds, topics, BZ "
                    "numbers, duplicate ids, references to unknown issues, snippet references, "
                    "issue pages no toctree includes) and load every check spec, without running "
                    "Sphinx. Each problem is printed once as file:line: message [relnotes.<subtype>].",
        epilog="Exit codes: 0 no problem, 1 problems found, 2 usage error or a bad relnotes.toml.",
    )
    parser.add_argument("--source", type=Path, default=Path(DEFAULT_SOURCE), metavar="DIR",
                        help="the pages' folder, relative to the site (default: %(default)s)")
    parser.set_defaults(run=_run, site_files=ANY_SITE)


def _run(args: argparse.Namespace) -> int:
    from relnotes.core.lint import check_site

    settings = args.settings
    source = settings.root / args.source
    if not source.is_dir():
        print(f"error: {source}: no such folder (the site's pages; see --source)", file=sys.stderr)
        return 2
    problems = check_site(settings, source)
    for problem in problems:
        print(problem.render(settings.root))
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
        return 1
    return 0
