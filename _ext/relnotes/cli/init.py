"""``relnotes init DIR``: a new site with this project's layout, from the packaged templates."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: Template files whose names a package cannot carry as they are.
_RENAMED = {"gitignore": ".gitignore"}
#: Text templates in which ``@PROJECT@`` is the site's name.
_PLACEHOLDER = "@PROJECT@"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "init", help="start a new site: pages, snippets with checks, tests, Makefile",
        description="Create DIR with conf.py, relnotes.toml, source/ (an index, a component page, "
                    "an example issue), snippets/ (an example snippet and its check), _ext/, "
                    "tests/, tox.ini, a Makefile (make html, make test) and a README. DIR must "
                    "be new or empty; nothing is written unless everything is.",
        epilog="Exit codes: 0 created, 2 usage error or DIR not empty.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="the new site's folder")
    parser.add_argument("--project", metavar="NAME",
                        help="the site's name, shown in titles (default: DIR's name)")
    parser.set_defaults(run=_run, needs_settings=False)


def _run(args: argparse.Namespace) -> int:
    target: Path = args.directory
    if target.exists() and not target.is_dir():
        print(f"error: {target} exists and is not a folder", file=sys.stderr)
        return 2
    if target.is_dir() and (present := sorted(p.name for p in target.iterdir())):
        shown = ", ".join(present[:10]) + (f" and {len(present) - 10} more" if len(present) > 10 else "")
        print(f"error: {target} is not empty (it holds {shown}); choose a new or empty folder",
              file=sys.stderr)
        return 2
    project = args.project or target.resolve().name
    if problem := project_name_problem(project):
        given = "--project" if args.project else "the folder's name (give --project NAME)"
        print(f"error: {given} {project!r}: {problem}", file=sys.stderr)
        return 2
    try:
        count = _create(target.resolve(), project)
    except OSError as error:
        print(f"error: cannot create the site in {target}: {error.strerror or error}",
              file=sys.stderr)
        return 2
    print(f"created {target} ({count} files). Next:\n  cd {target}\n  make html\n  make test")
    return 0


#: Characters that are markup somewhere a project name goes: HTML (the theme shows
#: ``html_title`` as it is), Python strings (conf.py), Markdown headings.
_MARKUP = frozenset('<>&"\'`\\{}[]*|$')
MAX_PROJECT_LENGTH = 100


def project_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a site's name, or None: it reaches conf.py, page titles and the
    header of every page unescaped, so it is refused rather than escaped in five syntaxes."""
    if not name.strip() or name != name.strip():
        return "a name neither empty nor starting or ending with a space"
    if not name.isprintable():
        return "a name of printable characters (no line break, tab or control character)"
    if found := sorted(set(name) & _MARKUP):
        return f"a name without quotes or other markup characters ({' '.join(found)})"
    if len(name) > MAX_PROJECT_LENGTH:
        return f"a name of at most {MAX_PROJECT_LENGTH} characters"
    return None


def _create(target: Path, project: str) -> int:
    """Write the site into ``target`` (new, or an empty folder, which is kept as it is: its
    mode, and a shell that has it as its current folder). Everything goes to a staging folder
    first and is moved into place at the end, so a failure part-way leaves nothing behind."""
    existed = target.is_dir()
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".relnotes-init.", dir=target))
    moved: list[Path] = []
    try:
        from importlib import resources  # only here: `relnotes --help` does not load it

        count = _copy(resources.files("relnotes.cli") / "templates" / "site", staging, project)
        for entry in sorted(staging.iterdir()):
            os.rename(entry, target / entry.name)
            moved.append(target / entry.name)
        staging.rmdir()
    except BaseException:
        for path in moved:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        shutil.rmtree(staging, ignore_errors=True)
        if not existed:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return count


def _copy(source: Traversable, destination: Path, project: str) -> int:
    count = 0
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__" or entry.name.startswith("."):
            continue  # caches a test run may leave in the templates, never part of a site
        path = destination / _RENAMED.get(entry.name, entry.name)
        if entry.is_dir():
            path.mkdir()
            count += _copy(entry, path, project)
            continue
        data = entry.read_bytes()
        if _PLACEHOLDER.encode() in data:
            data = data.replace(_PLACEHOLDER.encode(), project.encode())
        path.write_bytes(data)
        count += 1
    return count
