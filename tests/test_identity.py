"""The engine's identity is the code a verdict depends on, not every file of two folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from relnotes.core.identity import ENGINE_SOURCES, engine_digest_of

PACKAGE = Path(__file__).resolve().parents[1] / "_ext" / "relnotes"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    copy = tmp_path / "relnotes"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


@pytest.mark.parametrize("module", ["core/lint.py", "engine/runner.py", "engine/junit.py",
                                    "cli/verify.py", "sphinxext/compatibility.py",
                                    "core/located_toml.py", "engine/drift.py"])
def test_editing_code_no_verdict_depends_on_keeps_every_record_current(
        package: Path, module: str) -> None:
    before = engine_digest_of(package)
    edit(package / module)
    assert engine_digest_of(package) == before


@pytest.mark.parametrize("module", ["engine/procedure/_effects.py", "engine/probes.py",
                                    "engine/verdict.py", "engine/mutants.py",
                                    "core/spec/_load.py", "engine/container/guest.py"])
def test_editing_code_a_verdict_depends_on_changes_the_engines_identity(
        package: Path, module: str) -> None:
    before = engine_digest_of(package)
    edit(package / module)
    assert engine_digest_of(package) != before


def test_every_listed_source_exists() -> None:
    assert [name for name in ENGINE_SOURCES if not (PACKAGE / name).exists()] == []
