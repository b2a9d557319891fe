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


def libvirt_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in {"libvirt", "libvirt_qemu", "libvirtmod"}]


#: What runs without libvirt's binding (the verify extra): every command but running checks
#: (``verify``) and the daemons (``container``), whose help still works.
WITHOUT_LIBVIRT = """
import contextlib, io, json, sys
from pathlib import Path
from relnotes.cli import main

site = Path(sys.argv[1])
runs = [["init", str(site)], ["--site", str(site), "check"],
        ["--site", str(site), "new", "slow-boot", "--component", "example", "--kind",
         "known-issue", "--title", "The guest boots slowly"],
        ["--site", str(site), "verify", "merge", "-o", str(site / "merged.json"),
         str(site / "empty.json")],
        ["--site", str(site), "verify", "diff", str(site / "merged.json"),
         str(site / "merged.json")],
        ["import", "text", sys.argv[2], "--component", "example", "--into", str(site)],
        ["--help"], *([name, "--help"] for name in ("init", "new", "check", "build", "publish",
                                                    "serve", "verify", "container", "import"))]
codes = []
for argv in runs:
    if site.is_dir():
        (site / "empty.json").write_text('{"format": 2, "sequence": 0, "records": []}')
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()), \\
            contextlib.redirect_stderr(io.StringIO()):
        codes.append(main(argv))
print(json.dumps(codes))
import relnotes.sphinxext, relnotes.engine.container.pytest_plugin  # the build's, pytest's
"""


def test_no_command_but_verify_and_container_loads_libvirt(tmp_path: Path) -> None:
    section = Path(__file__).parent / "data" / "rhel5-technical-notes-kvm.txt"
    probe = WITHOUT_LIBVIRT + "\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "site"), str(section)],
                          capture_output=True, text=True, check=True)
    codes, loaded = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert codes == [0, 0, 0, 0, 0, 0]  # each ran (the --help runs exit through SystemExit)
    assert "relnotes.cli.verify" in loaded and "relnotes.importing.writer" in loaded
    assert "sphinx.application" in loaded and "relnotes.core.ledger._stream" in loaded
    assert libvirt_modules(loaded) == []


def test_the_probe_sees_libvirt_when_the_engine_is_loaded() -> None:
    pytest.importorskip("libvirt")
    assert "libvirt" in libvirt_modules(loaded_modules("import relnotes.engine.runner"))


@pytest.mark.parametrize("package", ["relnotes", "relnotes.core", "relnotes.core.ledger", "relnotes.engine",
                                     "relnotes.engine.container", "relnotes.engine.procedure",
                                     "relnotes.importing", "relnotes.cli"])
def test_a_package_init_imports_nothing_heavy(package: str) -> None:
    loaded = loaded_modules(f"import {package}")
    heavy = [m for m in loaded if m.split(".")[0] in {"libvirt", "libvirtmod", "lxml", "sphinx",
                                                        "docutils", "markdown_it"}]
    assert heavy == []


def unshipped(package_data: dict[str, list[str]], package: str) -> list[str]:
    """The files of ``relnotes.<package>`` besides its modules that no package-data pattern
    ships in the wheel."""
    from fnmatch import fnmatch

    root = PACKAGE / package
    patterns = package_data.get(f"relnotes.{package}", [])
    return sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
        and not any(fnmatch(path.relative_to(root).as_posix(), pattern) for pattern in patterns))


def test_the_wheel_ships_the_extensions_scripts_and_catalogs() -> None:
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"]["package-data"]
    assert unshipped(package_data, "sphinxext") == []
    # Without the catalogs' patterns, the wheel would build Japanese pages in English.
    assert "locale/ja/LC_MESSAGES/relnotes.po" in unshipped({"relnotes.sphinxext": ["static/*"]},
                                                           "sphinxext")
