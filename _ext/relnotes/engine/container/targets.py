"""The catalogue's targets as the harness builds them: where each Containerfile lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from relnotes.core.targets import CATALOGUE, CONTAINERFILES_DIR, TargetVersion

from .errors import ContainerError

CONTAINERS_DIR = CONTAINERFILES_DIR

#: Files every target's build may COPY; they live beside the per-target directories.
COMMON_DIR_NAME = "common"


@dataclass(frozen=True)
class Target(TargetVersion):
    """A catalogue entry with the Containerfile that adds libvirt to its Debian suite."""

    containers_dir: Path = CONTAINERS_DIR

    @property
    def containerfile(self) -> Path:
        return self.containers_dir / self.name / "Containerfile"

    @property
    def build_inputs(self) -> tuple[Path, ...]:
        """The directories a build reads: the target's own and the shared one."""
        return (self.containers_dir / self.name, self.containers_dir / COMMON_DIR_NAME)

    @property
    def base_image(self) -> str:
        return f"localhost/debian-base:{self.suite}"


#: Every target of the catalogue, with its Containerfile in ``containerfiles/<name>/``.
TARGETS: dict[str, Target] = {
    entry.name: Target(entry.name, entry.suite, entry.libvirt_major, entry.qemu_major)
    for entry in CATALOGUE
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS)
        raise ContainerError(f"unknown libvirt target {name!r}; known targets: {known}") from None


def parse_target_list(text: str) -> list[Target]:
    """Parse a comma-separated list such as ``bookworm,trixie`` (the CLI and pytest option)."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ContainerError("no libvirt target given")
    return [get_target(name) for name in dict.fromkeys(names)]
