"""Output folders that the site owns: build and publish never touch what they did not write.

``relnotes build`` (a preview) and ``relnotes publish`` (the deployed site) each write one
folder and replace it whole. Before either writes, the folder is claimed: it must be absent,
empty, or carry the mark (``.relnotes-output``) that the same command left in it last time. It
may never be the site folder, an ancestor of it, a folder of the site's own (its pages,
snippets, locale, ledger), nor a file. A preview never lands in the deployed folder and a
publish never in a preview's: the mark names which of the two wrote the folder.
"""

from __future__ import annotations

import enum
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from relnotes.core.atomic import write_atomic
from relnotes.core.filemode import current_umask

MARK = ".relnotes-output"
#: Where each command writes by default, relative to the site: a preview is never deployed.
PREVIEW_DIR = Path("_build") / "preview"
PUBLISHED_DIR = Path("_build") / "html"


class OutputKind(enum.Enum):
    PREVIEW = "preview"
    PUBLISHED = "published"
    EXPORT = "export"  # relnotes export: AsciiDoc or Jira text, gated like a publish


class OutputError(ValueError):
    """The output folder is not one the command may write; nothing was touched."""


@dataclass(frozen=True)
class OwnedOutput:
    """A claimed output folder: ``path`` (absent, empty, or ours) and what writes it."""

    path: Path
    kind: OutputKind

    def staging(self) -> Path:
        """A fresh, marked folder beside the output, to build into and then promote."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.staging-",
                                        dir=self.path.parent))
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it 0700: unreadable to a web server
        mark(staging, self.kind)
        return staging

    def promote(self, staging: Path) -> None:
        """Swap ``staging`` in for the output by renames; the old output (ours) goes."""
        old = None
        if self.path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.old-", dir=self.path.parent))
            os.rename(self.path, old / "site")
        try:
            os.rename(staging, self.path)
        except BaseException:
            if old is not None:  # the old site back where it was: never neither of the two
                os.rename(old / "site", self.path)
                old.rmdir()
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self, staging: Path) -> None:
        """Remove a staging folder that will not be promoted (only ever one we made)."""
        if (staging / MARK).is_file():
            shutil.rmtree(staging, ignore_errors=True)


def mark(folder: Path, kind: OutputKind) -> None:
    write_atomic(folder / MARK, f"{kind.value}\n")


def marked_as(folder: Path) -> OutputKind | None:
    try:
        text = (folder / MARK).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return OutputKind(text)
    except ValueError:
        return None


def claim(out: Path, kind: OutputKind, *, site: Path, protected: tuple[Path, ...] = ()) -> OwnedOutput:
    """``out`` as an output folder of ``kind``, or OutputError saying why it may not be one.

    ``protected``: folders of the site that an output may neither be nor be inside (its pages,
    snippets, ledger folder; one that is the site folder itself protects nothing more); the
    site folder itself and its ancestors are always refused.
    """
    out = Path(os.path.abspath(out))
    real = out.resolve()
    site = site.resolve()
    if real == site or site.is_relative_to(real):
        raise OutputError(f"{out}: is the site folder or holds it; the output goes in a "
                          "folder of its own, such as the command's default under _build/")
    for folder in protected:
        folder = folder.resolve()
        if folder == site:
            continue  # pages at the site's root: Sphinx's exclude_patterns keep _build out
        if real == folder or real.is_relative_to(folder):
            raise OutputError(f"{out}: is inside {folder.name}/, a folder of the site's own; "
                              "the output goes in a folder of its own")
    if out.is_symlink():
        raise OutputError(f"{out}: is a symbolic link; name the real folder")
    if not out.exists():
        return OwnedOutput(out, kind)
    if not out.is_dir():
        raise OutputError(f"{out}: is not a folder; the output goes in a folder of its own")
    owner = marked_as(out)
    if owner is kind:
        return OwnedOutput(out, kind)
    if owner is not None:
        raise OutputError(f"{out}: holds a {owner.value} site; "
                          f"a {kind.value} site goes in another folder")
    try:
        empty = not any(out.iterdir())
    except OSError as error:
        raise OutputError(f"{out}: cannot be read ({error.strerror})") from None
    if not empty:
        raise OutputError(f"{out}: holds files that relnotes did not write; empty it or "
                          "choose another folder (nothing was touched)")
    return OwnedOutput(out, kind)
