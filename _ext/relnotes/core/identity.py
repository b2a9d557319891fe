"""What a record was verified with, as digests the engine and the site both derive.

The engine's identity is a digest of its own sources (the engine, the spec loader and the
ledger): a change to any of them can change a verdict, so no hand-kept version number is
needed to make earlier results stale. The environment's definition is a digest of the files
its container image is built from, which the site can compute without podman.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from relnotes.core.targets import CONTAINERFILES_DIR

_PACKAGE = Path(__file__).resolve().parents[1]  # the relnotes package
# The sources whose meaning decides a verdict: the engine and the core it reads specs and
# ledgers with; the Sphinx extension's and the command's modules do not.
ENGINE_SOURCES = ("engine", "core")


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
    return digest_files(_tree(_PACKAGE, ENGINE_SOURCES, "*.py"), _PACKAGE)


@functools.lru_cache(maxsize=8)
def environment_digest(target: str, containers_dir: Path = CONTAINERFILES_DIR) -> str:
    """The definition of ``target``'s image: its Containerfile directory and the shared one."""
    files = _tree(containers_dir, (target, "common"), "*")
    return digest_files(files, containers_dir) if files else "undefined"
