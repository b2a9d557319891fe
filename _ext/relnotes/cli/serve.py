"""``relnotes serve``: a live preview on 127.0.0.1 that rebuilds when a page or snippet changes."""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
from pathlib import Path

from relnotes.cli.extras import SERVE, require
from relnotes.cli.site import BUILDABLE
from relnotes.core.outputs import PREVIEW_DIR

HOST = "127.0.0.1"  # loopback only: a preview is not a server for others
STOP_TIMEOUT = 15.0  # seconds the server has to stop after Ctrl-C before it is killed


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve", help="live preview on 127.0.0.1 that rebuilds on edits",
        description="Build the site into _build/preview and serve it on 127.0.0.1, rebuilding "
                    "and reloading the browser whenever a page, a snippet, conf.py, "
                    "relnotes.toml or the verification ledger changes (sphinx-autobuild; "
                    "pip install 'relnotes[serve]'). "
                    "Stop with Ctrl-C.",
        epilog="Exit codes: 0 stopped, 1 the server failed, 2 usage error or sphinx-autobuild "
               "missing, 130 interrupted (Ctrl-C: the normal way to stop).",
    )
    parser.add_argument("--port", type=int, default=8000, metavar="P",
                        help="port on 127.0.0.1 (default: %(default)s; 0 picks a free one)")
    parser.add_argument("--source", type=Path, default=Path("source"), metavar="DIR",
                        help="the pages' folder, relative to the site (default: %(default)s)")
    parser.set_defaults(run=_run, site_files=BUILDABLE)


def command(root: Path, source: Path, snippets: Path, port: int, ledger: Path) -> list[str]:
    build = root / "_build"
    return [
        sys.executable, "-m", "sphinx_autobuild", "--host", HOST, "--port", str(port),
        "-c", str(root), "-d", str(build / "preview-doctrees"),
        # Snippets, the settings and the ledger live beside the pages, not in them. A new
        # ledger (relnotes verify) rewrites the pages whose badges it changes; the build
        # output must not trigger rebuilds of itself.
        "--watch", str(snippets), "--watch", str(root / "relnotes.toml"),
        "--watch", str(root / "conf.py"), "--watch", str(ledger.parent),
        *_ignore_outputs(build, ledger),
        str(root / source), str(root / PREVIEW_DIR),
    ]


def _ignore_outputs(build: Path, ledger: Path) -> list[str]:
    """Ignore everything under ``_build`` but the ledger (usually ``_build/verification/``);
    its temporary files (it is written whole, then renamed) are ignored too."""
    build, ledger = build.resolve(), ledger.resolve()
    if not ledger.is_relative_to(build):
        return ["--ignore", str(build / "*")]
    kept = ledger.relative_to(build).as_posix()
    return ["--re-ignore", f"^{re.escape(build.as_posix())}/(?!{re.escape(kept)}$)"]


def _run(args: argparse.Namespace) -> int:
    require(SERVE, "serve")  # one line and exit 2 without it
    settings = args.settings
    if not (settings.root / args.source).is_dir():
        print(f"error: {settings.root / args.source}: no such folder (the site's pages; see --source)",
              file=sys.stderr)
        return 2
    # The preview folder relnotes build writes: claimed and marked the same way.
    from relnotes.core.outputs import OutputError, OutputKind, claim, mark

    preview = settings.root / PREVIEW_DIR
    try:
        claim(preview, OutputKind.PREVIEW, site=settings.root,
              protected=(settings.root / args.source, settings.snippets_dir,
                         settings.verification_dir))
    except OutputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    preview.mkdir(parents=True, exist_ok=True)
    mark(preview, OutputKind.PREVIEW)
    print(f"serving on http://{HOST}:{args.port}/ (Ctrl-C stops)", flush=True)
    settings.ledger.parent.mkdir(parents=True, exist_ok=True)  # watched before any verify run
    server = subprocess.Popen(command(settings.root, args.source, settings.snippets_dir, args.port,
                                      settings.ledger))
    try:
        return 0 if server.wait() == 0 else 1
    except KeyboardInterrupt:
        # Let the server stop its own build and close its socket; a terminal's Ctrl-C reached
        # it already, a signal sent to this process alone did not.
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        raise
