"""What a verification ran against: target, libvirt and QEMU versions, accelerator, image.

One class for the harness (which reads it from the running daemon), the engine (which stamps
every record with it) and the site (which shows its label beside each badge).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

Accelerator = Literal["kvm", "tcg"]
ACCELERATORS: tuple[Accelerator, ...] = ("kvm", "tcg")
#: What a site or a command may ask for: one of them, or KVM when /dev/kvm is usable ("auto").
AcceleratorChoice = Literal["auto", "kvm", "tcg"]
ACCELERATOR_CHOICES: tuple[AcceleratorChoice, ...] = ("auto", *ACCELERATORS)
FIELDS = ("target", "libvirt_version", "qemu_version", "accelerator", "image_id")

_VERSION = re.compile(r"\d+\.\d+\.\d+")
_IMAGE_ID = re.compile(r"[0-9a-f]{64}")


def version_string(packed: int) -> str:
    """Turn libvirt's packed ``major * 1_000_000 + minor * 1_000 + micro`` into ``M.m.u``."""
    return f"{packed // 1_000_000}.{packed // 1_000 % 1_000}.{packed % 1_000}"


@dataclass(frozen=True)
class Environment:
    """The facts a verification result must carry to be reproducible.

    Versions are read from the running daemon, never from package metadata, so they
    describe what actually answered (:meth:`reported` checks their form there).
    """

    target: str
    libvirt_version: str
    qemu_version: str
    accelerator: str
    image_id: str

    def __post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")

    @classmethod
    def reported(cls, target: str, libvirt_version: str, qemu_version: str, accelerator: str,
                 image_id: str) -> Environment:
        """An environment as a daemon reports it, its every field checked for form."""
        for name, value in (("libvirt_version", libvirt_version), ("qemu_version", qemu_version)):
            if not isinstance(value, str) or not _VERSION.fullmatch(value):
                raise ValueError(f"{name} must look like 1.2.3, got {value!r}")
        if accelerator not in ACCELERATORS:
            raise ValueError(f"accelerator must be one of {ACCELERATORS}, got {accelerator!r}")
        if not isinstance(image_id, str) or not _IMAGE_ID.fullmatch(image_id):
            raise ValueError(f"image_id must be a full 64-hex podman id, got {image_id!r}")
        return cls(target, libvirt_version, qemu_version, accelerator, image_id)

    @property
    def domain_type(self) -> str:
        """The ``<domain type=...>`` guests need here: ``kvm``, or ``qemu`` under TCG."""
        return "kvm" if self.accelerator == "kvm" else "qemu"

    @property
    def label(self) -> str:
        """Human-readable, e.g. ``libvirt 9.0.0 / QEMU 7.2.0 (KVM)``."""
        return f"libvirt {self.libvirt_version} / QEMU {self.qemu_version} ({self.accelerator.upper()})"

    def key(self) -> str:
        """The versions and accelerator, e.g. ``bookworm:libvirt-9.0.0:qemu-7.2.0:kvm``: what
        the results of one run on one daemon share (controls are observed once per key)."""
        return f"{self.target}:libvirt-{self.libvirt_version}:qemu-{self.qemu_version}:{self.accelerator}"

    def same_as(self, other: Environment) -> bool:
        """The very same environment, image included: an earlier result may stand for it."""
        return self == other

    def to_dict(self) -> dict[str, str]:
        """The fields, and the label for readers of the file (ignored when read back)."""
        return {**{name: getattr(self, name) for name in FIELDS}, "label": self.label}

    @classmethod
    def from_dict(cls, data: object, *, reported: bool = False) -> Environment:
        """Read :meth:`to_dict`'s form; ``reported``: as the harness wrote it from a daemon,
        so every field is checked for form too (a ledger's may come from anywhere)."""
        if not isinstance(data, dict):
            raise ValueError(f"environment must be a JSON object, got {type(data).__name__}")
        if set(data) - {"label"} != set(FIELDS):
            raise ValueError(f"environment keys must be exactly {sorted(FIELDS)} (and label), "
                             f"got {sorted(data)}")
        values: dict[str, Any] = {name: data[name] for name in FIELDS}
        return cls.reported(**values) if reported else cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Environment:
        """The harness's state file form: checked as reported by a daemon."""
        return cls.from_dict(json.loads(text), reported=True)
