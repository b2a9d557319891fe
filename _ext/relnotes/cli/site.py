"""Whether the folder a command works on is a site: outside one, the command says so in one line."""

from __future__ import annotations

from pathlib import Path

#: What a Sphinx build needs of a site.
BUILDABLE = ("conf.py",)
#: What the commands that read a site's pages, snippets or settings need: either file.
ANY_SITE = ("relnotes.toml", "conf.py")


class NotASiteError(Exception):
    """The command needs a site and the folder is none (the CLI exits 2 with this one line)."""


def require_site(root: Path, files: tuple[str, ...]) -> None:
    """Raise NotASiteError unless ``root`` holds one of ``files``."""
    if not any((root / name).is_file() for name in files):
        raise NotASiteError(
            f"{root.resolve()} is not a relnotes site (it has no {' or '.join(files)}): make one "
            "with `relnotes init DIR`, or name it with `relnotes --site DIR ...`")
