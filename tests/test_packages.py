"""The three packages keep one direction of dependency, and the core and engine load no Sphinx."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "_ext" / "relnotes"

#: What each package may import from relnotes (besides itself and the package root).
ALLOWED = {
    "core": set(),
    "engine": {"core"},
    "sphinxext": {"core"},
    "importing": {"core"},
    "cli": {"core", "engine", "sphinxext", "importing"},
}


def relnotes_imports(file: Path) -> set[str]:
    """The relnotes subpackages a module imports, at any depth (lazy imports included)."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0
                 else [])
        for name in names:
            parts = name.split(".")
            if parts[0] == "relnotes" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_below_it(package: str) -> None:
    wrong = {
        str(file.relative_to(PACKAGE)): sorted(imported - ALLOWED[package] - {package, "__version__"})
        for file in (PACKAGE / package).rglob("*.py")
        if (imported := relnotes_imports(file)) - ALLOWED[package] - {package, "__version__"}
    }
    assert wrong == {}


def test_the_dependency_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from relnotes.sphinxext.domain import RelnotesDomain\n")
    assert relnotes_imports(module) - ALLOWED["core"] == {"sphinxext"}


def loaded_modules(code: str) -> list[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def sphinx_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in {"sphinx", "docutils", "myst_parser"}]


def test_importing_the_core_the_engine_and_the_importer_loads_no_sphinx() -> None:
    modules = [f"relnotes.{'.'.join(f.relative_to(PACKAGE).with_suffix('').parts)}"
               for package in ("core", "engine", "importing")
               for f in sorted((PACKAGE / package).rglob("*.py")) if f.name != "__main__.py"]
    code = "\n".join(f"import {m.removesuffix('.__init__')}" for m in modules)
    loaded = loaded_modules(code)
    assert "relnotes.engine.runner" in loaded and "relnotes.core.ledger" in loaded
    assert "relnotes.importing.writer" in loaded
    assert sphinx_modules(loaded) == []


def test_relnotes_verify_help_loads_no_sphinx() -> None:
    code = ("import contextlib, io\nfrom relnotes.cli import main\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['verify', '--help'])")
    loaded = loaded_modules(code)
    assert "relnotes.cli.verify" in loaded
    assert sphinx_modules(loaded) == []


def test_the_probe_sees_sphinx_when_it_is_loaded() -> None:
    assert "sphinx.application" in sphinx_modules(loaded_modules("import relnotes.sphinxext"))
