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


# Modules whose code no verdict depends on: scheduling, reports, merging, the daemon's plumbing.
OUTSIDE = {
    "core/__init__.py", "core/environment.py", "core/filemode.py", "core/identity.py",
    "core/issue_fields.py", "core/lint.py", "core/located_toml.py",
    "core/model.py", "core/pages.py", "core/paths.py", "core/settings.py",
    "core/snippet_ref.py", "core/targets.py",
    # Writing outputs, reading inputs, the site's own paths, terminal text.
    "core/atomic.py", "core/bounded.py", "core/catalog_text.py", "core/outputs.py",
    "core/read_paths.py", "core/terminal.py",
    # The site's views over time: release pages, filtered lists, the lifecycle and the feed.
    "core/feed.py", "core/lifecycle.py", "core/releases.py", "core/selection.py",
    # What results mean (read after a verdict: gate, drift, JUnit), the claim lint.
    "core/results.py", "core/claims.py",
    # The ledger: records kept, read, written and merged after their verdicts.
    *(f"core/ledger/{name}.py" for name in ("__init__", "_ledger", "_merge", "_reading",
                                            "_records", "_schema", "_split", "_stream",
                                            "_writing")),
    "engine/__init__.py", "engine/connection.py", "engine/daemon.py", "engine/drift.py",
    # Deadlines on calls to the daemon, like the connection's keepalive; the container's
    # seccomp profile, like its capabilities (engine/container/daemon.py).
    "engine/deadline.py", "engine/container/seccomp.py",
    "engine/junit.py", "engine/merging.py", "engine/reuse.py", "engine/runner.py",
    "engine/container/__init__.py", "engine/container/daemon.py",
    "engine/container/errors.py", "engine/container/images.py",
    "engine/container/podman.py", "engine/container/pytest_plugin.py",
    "engine/container/reaper.py", "engine/container/state.py",
    "engine/container/targets.py",
}


def test_every_module_of_the_engine_and_core_is_either_in_its_identity_or_named_outside() -> None:
    """A new module must be placed: in ENGINE_SOURCES if a verdict depends on it, or here."""
    modules = {path.relative_to(PACKAGE).as_posix()
               for folder in ("core", "engine") for path in (PACKAGE / folder).rglob("*.py")
               if "__pycache__" not in path.parts}
    listed = {module for module in modules
              if any(module == name or module.startswith(name + "/") for name in ENGINE_SOURCES)}
    assert sorted(modules - listed - OUTSIDE) == []
    assert sorted(OUTSIDE - modules) == []  # a module named outside that no longer exists
