"""Grouping specs into checks: one per driver spec, with the snippets its procedure uses."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from relnotes.ledger import sha256_of
from relnotes.spec import Spec, load_specs, spec_path

# Bump when the engine's meaning of a spec changes, so earlier results are not reused.
ENGINE_VERSION = "1"


@dataclass(frozen=True)
class Check:
    """A unit of verification: the driver's procedure, covering its member snippets."""

    driver: Spec
    members: tuple[Spec, ...]  # the snippets it records a result for, the driver first
    uses: tuple[Spec, ...]  # every snippet it reads (members and, e.g., another's fragment)
    snippets_dir: Path

    @property
    def key(self) -> str:
        return self.driver.snippet

    def file(self, key: str) -> Path:
        return self.snippets_dir / key

    def text(self, key: str) -> str:
        return self.file(key).read_text(encoding="utf-8")

    def sha256(self, key: str) -> str:
        return sha256_of(self.file(key))

    def claims(self) -> frozenset[str]:
        """What the check writes that is not private to it: absolute paths its steps install
        or edit, and literal domain names its effects observe (published text such as
        ``virsh start new-guest``). Checks claiming the same thing never run side by side."""
        found: set[str] = set()
        for spec in self.uses:
            for step in spec.steps:
                if step.install and step.install.startswith("/"):
                    found.add("path:" + step.install)
                if step.edit is not None:
                    found.update("path:" + p for p in (step.edit.file, step.edit.offered)
                                 if p and p.startswith("/"))
            found.update("domain:" + e.guest for e in spec.effects if e.guest)
        return frozenset(found)

    def inputs_sha256(self) -> str:
        """Digest of everything the check reads: snippets, their specs, the base guest."""
        digest = hashlib.sha256(ENGINE_VERSION.encode())
        files = [self.snippets_dir / self.driver.guest]
        for member in self.uses:
            files += [self.file(member.snippet), spec_path(self.file(member.snippet))]
        for path in files:
            digest.update(path.relative_to(self.snippets_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()


def plan_checks(snippets_dir: Path, specs: Mapping[str, Spec] | None = None) -> list[Check]:
    specs = specs if specs is not None else load_specs(snippets_dir)
    checks = []
    for key, spec in sorted(specs.items()):
        if not spec.is_driver:
            continue
        uses = tuple(specs[k] for k in spec.members())
        members = tuple(s for s in uses if s is spec or s.verified_by == key)
        checks.append(Check(spec, members, uses, snippets_dir))
    return checks
