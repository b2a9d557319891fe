"""What a verification ran against: target, libvirt and QEMU versions, accelerator, image."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, cast

Accelerator = Literal["kvm", "tcg"]
ACCELERATORS: tuple[Accelerator, ...] = ("kvm", "tcg")

_VERSION = re.compile(r"\d+\.\d+\.\d+")
_IMAGE_ID = re.compile(r"[0-9a-f]{64}")


def version_string(packed: int) -> str:
    """Turn libvirt's packed ``major * 1_000_000 + minor * 1_000 + micro`` into ``M.m.u``."""
    return f"{packed // 1_000_000}.{packed // 1_000 % 1_000}.{packed % 1_000}"


@dataclass(frozen=True)
class Environment:
    """The facts a verification result must carry to be reproducible.

    Versions are read from the running daemon, never from package metadata, so they
    describe what actually answered.
    """

    target: str
    libvirt_version: str
    qemu_version: str
    accelerator: Accelerator
    image_id: str

    def __post_init__(self) -> None:
        for name in ("libvirt_version", "qemu_version"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _VERSION.fullmatch(value):
                raise ValueError(f"{name} must look like 1.2.3, got {value!r}")
        if self.accelerator not in ACCELERATORS:
            raise ValueError(f"accelerator must be one of {ACCELERATORS}, got {self.accelerator!r}")
        if not isinstance(self.image_id, str) or not _IMAGE_ID.fullmatch(self.image_id):
            raise ValueError(f"image_id must be a full 64-hex podman id, got {self.image_id!r}")
        if not isinstance(self.target, str) or not self.target:
            raise ValueError(f"target must be a non-empty name, got {self.target!r}")

    @property
    def domain_type(self) -> str:
        """The ``<domain type=...>`` guests need here: ``kvm``, or ``qemu`` under TCG."""
        return "kvm" if self.accelerator == "kvm" else "qemu"

    def label(self) -> str:
        """Human-readable, e.g. ``libvirt 9.0.0 / QEMU 7.2.0 (KVM)``."""
        return f"libvirt {self.libvirt_version} / QEMU {self.qemu_version} ({self.accelerator.upper()})"

    def key(self) -> str:
        """Stable identifier, e.g. ``bookworm:libvirt-9.0.0:qemu-7.2.0:kvm``."""
        return f"{self.target}:libvirt-{self.libvirt_version}:qemu-{self.qemu_version}:{self.accelerator}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Environment:
        if not isinstance(data, dict):
            raise ValueError(f"environment must be a JSON object, got {type(data).__name__}")
        expected = {f.name for f in fields(cls)}
        if set(data) != expected:
            raise ValueError(f"environment keys must be exactly {sorted(expected)}, got {sorted(data)}")
        values = cast(dict[str, Any], data)
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Environment:
        return cls.from_dict(json.loads(text))
