"""What a record was verified with, as digests the engine and the site both derive.

The engine's identity is a digest of the code a verdict depends on (how a check runs, what
its probes observe, how its specs are read and its outcome judged): a change to any of it can
change a verdict, so no hand-kept version number is needed to make earlier results stale.
Code a verdict does not depend on (scheduling, reports, the linter's messages, the command,
the container's plumbing) is not part of it, so editing it leaves every record current. The
environment's definition is a digest of the files its container image is built from, which the
site can compute without podman.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from relnotes.core.targets import CONTAINERFILES_DIR

_PACKAGE = Path(__file__).resolve().parents[1]  # the relnotes package
# The sources whose meaning decides a verdict, relative to the package: a folder stands for
# every module in it. A new module a verdict depends on must be listed here (a test lists the
# engine's modules that are not, so none is forgotten silently).
ENGINE_SOURCES = (
    "core/spec", "core/plan.py",
    "engine/procedure", "engine/batch.py", "engine/controls.py", "engine/editor.py",
    "engine/layers.py", "engine/mutants.py", "engine/privilege.py", "engine/probes.py",
    "engine/transcript.py", "engine/verdict.py", "engine/xmledit.py",
    "engine/container/guest.py",
)


def digest_files(paths: Iterable[Path], root: Path) -> str:
    """One digest over files' paths (relative to ``root``) and bytes, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tree(root: Path, names: Iterable[str], pattern: str) -> list[Path]:
    files: list[Path] = []
    for name in names:
        path = root / name
        files += [path] if path.is_file() else [p for p in path.rglob(pattern) if p.is_file()
                                                and "__pycache__" not in p.parts]
    return files


@functools.lru_cache(maxsize=1)
def engine_digest() -> str:
    """The engine's identity: derived from its sources, never kept by hand."""
    return engine_digest_of(_PACKAGE)


def engine_digest_of(package: Path) -> str:
    """The identity of the engine in ``package`` (a relnotes package folder)."""
    return digest_files(_tree(package, ENGINE_SOURCES, "*.py"), package)


@functools.lru_cache(maxsize=8)
def environment_digest(target: str, containers_dir: Path = CONTAINERFILES_DIR) -> str:
    """The definition of ``target``'s image: its Containerfile directory and the shared one."""
    files = _tree(containers_dir, (target, "common"), "*")
    return digest_files(files, containers_dir) if files else "undefined"
