"""The ``relnotes`` command: one entry point, a subcommand per task.

Exit codes, the same for every subcommand:

- 0: done; every check that ran passed (or failed as declared);
- 1: done, and something is wrong with the site: a snippet failed, ``check`` found a problem,
  a daemon could not be started;
- 2: the command could not run as asked: a usage error, or bad input (a malformed spec, ledger,
  page or settings file), named at ``file:line``;
- 130: interrupted (Ctrl-C); results obtained until then are kept.

Each subcommand lives in its own module with a ``register(commands)`` that adds its parser and
sets ``run``; subcommands import what they need (the engine, Sphinx) only when they run, so
``relnotes verify --help`` loads neither Sphinx nor libvirt.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from relnotes import __version__
from relnotes.cli import build, check, container, export, init, new, serve, verify
from relnotes.cli.extras import MissingExtraError
from relnotes.cli.site import NotASiteError, require_site
from relnotes.core.located_toml import LocatedError
from relnotes.core.settings import load_settings
from relnotes.core.terminal import printable
from relnotes.importing import cli as importing

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

#: The subcommands, in the order ``relnotes --help`` lists them.
SUBCOMMANDS = (init, new, check, build, serve, export, verify, container, importing)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="relnotes",
        description="Release notes whose workarounds are verified against real libvirt/QEMU.",
        epilog="Exit codes: 0 ok, 1 a check or snippet failed, 2 usage or bad input, "
               "130 interrupted.",
    )
    top.add_argument("--version", action="version", version=f"relnotes {__version__}")
    top.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                     help="the site folder, where relnotes.toml is (default: the current folder)")
    commands = top.add_subparsers(required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(commands)
    return top


def answer_ctrl_c() -> None:
    """Make Ctrl-C (SIGINT) raise KeyboardInterrupt, whatever disposition was inherited.

    A shell without job control (a CI script, ``cmd &`` in a script, some IDEs) starts its
    children with SIGINT ignored, and Python then leaves it ignored: the command would go on
    after Ctrl-C and never clean up. The processes this one starts get SIGINT's default back
    at exec, since a handled signal is reset there.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: Sequence[str] | None = None) -> int:
    answer_ctrl_c()
    args = parser().parse_args(argv)  # exits 2 on a usage error
    import logging  # after --help, which does not log

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # A progress line per check as it ends, in a CI log or a pipe as on a terminal.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    try:
        # A command that works on a site says in one line when the folder is none.
        if site_files := getattr(args, "site_files", ()):
            require_site(args.site, site_files)
        # init makes a site, so there is no relnotes.toml to read yet.
        if getattr(args, "needs_settings", True):
            args.settings = load_settings(args.site)
        code: int = args.run(args)
    except (LocatedError, MissingExtraError, NotASiteError) as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        # A path the command was given that the system refuses (too long, a folder where a
        # file goes, no permission): the command could not run as asked.
        where = f"{error.filename}: " if error.filename else ""
        print(printable(f"error: {where}{error.strerror or error}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except RecursionError:
        print("error: an input is nested too deeply to be read", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
