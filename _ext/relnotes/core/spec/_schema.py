"""The keys and types a spec may have, checked strictly and reported at the key's line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from relnotes.core import located_toml

from ._model import SpecError

PROBES = frozenset({
    "pci-ids", "cpu", "qom", "block-formats", "vnc-auth", "running", "cmdline",
    "distinct-identity", "nic-models",
})

# The accepted keys: a nested dict is a table, a list with one dict is an array of tables.
_EXPECTATION: dict[str, Any] = {"equals": object, "not_equals": object, "contains": object,
                                "lacks": object}
SCHEMA: dict[str, Any] = {
    "kind": str, "summary": str, "adaptation": str, "timeout": (int, float), "not_verifiable": str,
    "expected_failure": {"*": str}, "failure_contains": {"*": str},
    "failure_layer": {"*": str}, "verified_by": str,
    "guest": str, "control_guest": object, "expect_output": str, "pending": str,
    "apply": {"mode": str, "target": str, "ellipsis": bool, "keep_attributes": list,
              "adaptation": str},
    "setup": [{"run": list, "why": str}],
    "steps": [{"snippet": str, "action": str, "install": str, "exit_status": int,
               "output_contains": str,
               "edit": {"file": str, "offered": str, "replace": list, "fragment": str, "delete": list,
                        "set": {"*": str}}}],
    "effects": [{"probe": str, "guest": str, "path": str, "property": str, "why": str,
                 **_EXPECTATION, "control": object, "control_reason": str}],
    # what the problem looks like on an unchanged guest: decides "still needed"
    "symptom": {"probe": str, "path": str, "property": str, "why": str, **_EXPECTATION},
    # mutants of the snippet that cannot change the effect here, each with the reason
    "equivalent": [{"mutant": str, "reason": str}],
}
# Probes whose value carries the guest's identity (its name, UUID or MAC): they differ between
# any guest and its control, so they can never show that a snippet did something.
IDENTITY_PROBES = frozenset({"distinct-identity"})


class Validator(located_toml.Validator):
    """The spec schema's checker: its errors are SpecErrors."""

    def __init__(self, file: Path, text: str):
        super().__init__(file, text, SpecError)
