"""The libvirt/QEMU stacks snippets can be verified on: one line each (Sphinx- and libvirt-free).

Each target is a Debian suite whose packages give one libvirt/QEMU pair; the container harness
(:mod:`relnotes.engine.container`) builds it from ``core/containerfiles/<name>/Containerfile``. Specs
(expected failures per target), ``relnotes.toml`` (which targets a site verifies on) and the
harness all check names against this one catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: ``<name>/Containerfile`` per target, and ``common/`` (files every build may COPY). Package
#: data, so an installed relnotes builds its images; the engine's harness builds from here.
CONTAINERFILES_DIR = Path(__file__).resolve().parent / "containerfiles"


@dataclass(frozen=True)
class TargetVersion:
    """A Debian suite and the libvirt/QEMU major versions it ships."""

    name: str
    suite: str
    #: Major versions the suite ships; tests check the running daemon reports them.
    libvirt_major: int
    qemu_major: int


#: Oldest first: the last one is the newest stack (what a scheduled drift run checks).
CATALOGUE: tuple[TargetVersion, ...] = (
    TargetVersion("bullseye", "bullseye", libvirt_major=7, qemu_major=5),
    TargetVersion("bookworm", "bookworm", libvirt_major=9, qemu_major=7),
    TargetVersion("trixie", "trixie", libvirt_major=11, qemu_major=10),
    TargetVersion("trixie-backports", "trixie", libvirt_major=12, qemu_major=11),
)

TARGET_NAMES: tuple[str, ...] = tuple(target.name for target in CATALOGUE)
NEWEST_TARGET = CATALOGUE[-1].name
