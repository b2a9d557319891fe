"""The Debian releases the harness can run, and where their Containerfiles live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContainerError

#: ``containers/`` at the repository root: _ext/relnotes/verify/container/targets.py is 5 deep.
CONTAINERS_DIR = Path(__file__).resolve().parents[4] / "containers"

#: Files every target's build may COPY; they live beside the per-target directories.
COMMON_DIR_NAME = "common"


@dataclass(frozen=True)
class Target:
    """One daemon flavour: a Debian suite and the Containerfile that adds libvirt to it."""

    name: str
    suite: str
    #: Major versions the suite ships; tests check the running daemon reports them.
    libvirt_major: int
    qemu_major: int
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


#: Oldest first: the last one is the newest stack (what a scheduled drift run checks).
TARGETS: dict[str, Target] = {
    "bullseye": Target("bullseye", "bullseye", libvirt_major=7, qemu_major=5),
    "bookworm": Target("bookworm", "bookworm", libvirt_major=9, qemu_major=7),
    "trixie": Target("trixie", "trixie", libvirt_major=11, qemu_major=10),
    "trixie-backports": Target("trixie-backports", "trixie", libvirt_major=12, qemu_major=11),
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
