"""Check specs: the ``<snippet>.check.toml`` file beside each snippet says how to verify it.

Sphinx-free. ``load_spec`` validates one file strictly (unknown keys are errors, named by key
path and line) so that a typo cannot silently turn a check into a no-op.
"""

from __future__ import annotations

from ._files import SPEC_SUFFIX, is_spec_file, orphan_specs, snippet_files, snippet_key, spec_path
from ._load import (
    load_spec,
    load_specs,
    pending_reason,
    reference_problems,
    spec_problem_message,
    spec_problems,
)
from ._model import (
    DECLARABLE_LAYERS,
    Apply,
    ApplyMode,
    Declared,
    Edit,
    Effect,
    Equivalent,
    Expectation,
    SnippetKind,
    Spec,
    SpecError,
    Step,
    StepAction,
    Symptom,
    declared_failure,
)

__all__ = [
    "DECLARABLE_LAYERS",
    "SPEC_SUFFIX",
    "Apply",
    "ApplyMode",
    "Declared",
    "Edit",
    "Effect",
    "Equivalent",
    "Expectation",
    "SnippetKind",
    "Spec",
    "SpecError",
    "Step",
    "StepAction",
    "Symptom",
    "declared_failure",
    "is_spec_file",
    "load_spec",
    "load_specs",
    "orphan_specs",
    "pending_reason",
    "reference_problems",
    "snippet_files",
    "snippet_key",
    "spec_path",
    "spec_problem_message",
    "spec_problems",
]
