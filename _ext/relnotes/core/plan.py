"""Grouping specs into checks: one per driver spec, with the snippets its procedure uses."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from relnotes.core.identity import engine_digest, environment_digest
from relnotes.core.ledger import sha256_of
from relnotes.core.paths import DEFAULT_SNIPPET_SIZE_LIMIT
from relnotes.core.spec import (
    Spec,
    SpecError,
    load_spec,
    load_specs,
    snippet_files,
    snippet_key,
    spec_path,
)


@dataclass(frozen=True)
class Check:
    """A unit of verification: the driver's procedure, covering its member snippets."""

    driver: Spec
    members: tuple[Spec, ...]  # the snippets it records a result for, the driver first
    uses: tuple[Spec, ...]  # every snippet it reads (members and, e.g., another's fragment)
    snippets_dir: Path
    # A mutant of the check: a snippet's text replaced (None: the snippet left out)
    overrides: tuple[tuple[str, str | None], ...] = field(default=())

    @property
    def key(self) -> str:
        return self.driver.snippet

    def file(self, key: str) -> Path:
        return self.snippets_dir / key

    def text(self, key: str) -> str:
        for name, text in self.overrides:
            if name == key and text is not None:
                return text
        return self.file(key).read_text(encoding="utf-8")

    def data(self, key: str) -> bytes:
        """The snippet's bytes as the check runs them (a mutant's, for a mutant)."""
        if any(name == key for name, _ in self.overrides):
            return self.text(key).encode()
        return self.file(key).read_bytes()

    def omitted(self, key: str) -> bool:
        """The snippet is left out of this (mutant) check: not applied, not run."""
        return (key, None) in self.overrides

    def with_override(self, key: str, text: str | None) -> Check:
        """This check with ``key``'s text replaced, or (None) the snippet left out."""
        return replace(self, overrides=((key, text),))

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

    def read_files(self) -> dict[str, Path]:
        """Every file the check reads, named for a reader: snippets, specs, guests."""
        files = {f"base guest {self.driver.guest}": self.snippets_dir / self.driver.guest}
        for member in self.uses:
            path = self.file(member.snippet)
            files[f"snippet {member.snippet}"] = path
            files[f"spec {spec_path(Path(member.snippet)).as_posix()}"] = spec_path(path)
        return files

    def inputs(self, target: str) -> dict[str, str]:
        """Digest of each input of the check on ``target``: a record made with other inputs
        is stale. Missing files digest as "missing", so a deleted guest makes it stale too."""
        parts = {name: sha256_of(path) if path.is_file() else "missing"
                 for name, path in self.read_files().items()}
        parts["engine"] = engine_digest()
        parts[f"environment definition {target}"] = environment_digest(target)
        return parts

    def inputs_sha256(self, target: str) -> str:
        return inputs_sha256(self.inputs(target))


def inputs_sha256(inputs: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(sorted(inputs.items()))).encode()).hexdigest()


def plan_checks(snippets_dir: Path, specs: Mapping[str, Spec] | None = None) -> list[Check]:
    """One check per driver spec; every spec must load (the verifier refuses a broken one)."""
    return _checks(snippets_dir, specs if specs is not None else load_specs(snippets_dir))


def plan_loadable_checks(snippets_dir: Path,
                         size_limit: int = DEFAULT_SNIPPET_SIZE_LIMIT) -> list[Check]:
    """The checks whose specs all load, for the site's badges.

    A spec that does not load is reported at its line where specs are checked (the docs
    build, ``relnotes check``); here the checks that need it are left out, so the badges of
    their snippets show stale instead of the whole site's.
    """
    specs: dict[str, Spec] = {}
    for path in snippet_files(snippets_dir):
        if spec_path(path).is_file():
            with contextlib.suppress(SpecError):
                specs[snippet_key(path, snippets_dir)] = load_spec(path, snippets_dir, size_limit)
    return _checks(snippets_dir, specs)


def _checks(snippets_dir: Path, specs: Mapping[str, Spec]) -> list[Check]:
    checks = []
    for key, spec in sorted(specs.items()):
        if not spec.is_driver or spec.pending is not None:
            continue  # a stub has no check: nothing is run, nothing is recorded
        if any(used not in specs for used in spec.members()):
            continue  # only when a member's spec did not load (load_specs refuses that)
        uses = tuple(specs[k] for k in spec.members())
        members = tuple(s for s in uses if s is spec or s.verified_by == key)
        checks.append(Check(spec, members, uses, snippets_dir))
    return checks
