"""``pip install relnotes`` without extras gives a working ``relnotes``, as on a fresh machine.

The wheel is built from a copy of this checkout and installed into a new venv without any
extra (so without libvirt's binding); every command a writer or CI runs without a daemon then
runs on this project's site and on a site made by ``relnotes init``. ``verify`` and
``container`` say in one line which extra to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest
from relnotes.core.ledger import write_ledger
from relnotes.core.settings import load_settings

from tests.ledgers import passing_ledger

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
SECTION = ROOT / "tests" / "data" / "rhel5-technical-notes-kvm.txt"
#: What a checkout holds that is not the project: venvs, builds, caches.
NOT_THE_PROJECT = shutil.ignore_patterns(
    ".git", ".venv", ".tox", "_build", "build", "dist", "*.egg-info", "node_modules",
    "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")

@dataclass(frozen=True)
class Installed:
    """A venv holding the relnotes wheel and its required dependencies, no extra."""

    bin: Path
    checkout: Path  # a copy of this project (its site), built from
    wheel: Path

    def relnotes(self, *argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "relnotes"), *map(str, argv)], cwd=cwd,
                              capture_output=True, text=True, timeout=600, check=False)


def run(*argv: str | Path, cwd: Path | None = None) -> None:
    done = subprocess.run(list(map(str, argv)), cwd=cwd, capture_output=True, text=True,
                          timeout=900, check=False)
    assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("fresh")
    checkout = base / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_THE_PROJECT)
    wheels = base / "wheels"
    # Built from the copy: setuptools writes build/ beside the sources.
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, checkout)
    [wheel] = wheels.glob("relnotes-*.whl")
    env = base / "venv"
    venv.create(env, with_pip=True)
    # The dependencies come from pip's configured index (its cache, when warm), pinned as
    # the project pins them; no extra is named.
    run(env / "bin" / "python", "-m", "pip", "install", "-q", wheel, "-c", CONSTRAINTS)
    return Installed(env / "bin", checkout, wheel)


def test_the_venv_has_no_extra(installed: Installed) -> None:
    done = subprocess.run([str(installed.bin / "python"), "-c", "import libvirt"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "No module named 'libvirt'" in done.stderr


HELP = [[], ["init"], ["new"], ["check"], ["build"], ["publish"], ["serve"], ["verify"],
        ["verify", "merge"], ["verify", "diff"], ["container"], ["container", "up"],
        ["import"], ["import", "text"], ["import", "bugzilla"]]


@pytest.mark.parametrize("command", HELP, ids=lambda command: " ".join(command) or "relnotes")
def test_every_help_works(installed: Installed, command: list[str]) -> None:
    done = installed.relnotes(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {' '.join(['relnotes', *command])}")


LIBVIRT = ("libvirt's Python binding", "libvirt", "verify")
AUTOBUILD = ("sphinx-autobuild", "sphinx_autobuild", "serve")


@pytest.mark.parametrize(("command", "extra"), [
    (["verify"], LIBVIRT), (["container", "status"], LIBVIRT), (["container", "down"], LIBVIRT),
    (["serve"], AUTOBUILD),
], ids=["verify", "container status", "container down", "serve"])
def test_a_command_that_needs_an_extra_names_it_in_one_line(
        installed: Installed, command: list[str], extra: tuple[str, str, str],
        tmp_path: Path) -> None:
    what, module, name = extra
    done = installed.relnotes("--site", installed.checkout, *command, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"error: `relnotes {command[0]}` needs {what} (No module named '{module}'): install the "
        f"{name} extra, pip install 'relnotes[{name}]'"]
    assert done.stdout == ""


def test_make_html_builds_this_projects_site_without_libvirts_binding(
        installed: Installed, tmp_path: Path) -> None:
    # The README's first command, in a copy of the checkout: its docs venv has the site's
    # Sphinx extensions and relnotes without extras.
    checkout = installed.checkout
    run("make", "html", cwd=checkout)
    docs = checkout / ".venv" / "bin"
    done = subprocess.run([str(docs / "python"), "-c", "import libvirt"], capture_output=True,
                          text=True, check=False)
    assert "No module named 'libvirt'" in done.stderr
    assert (checkout / "_build" / "preview" / "index.html").is_file()  # a preview, not the deployed folder
    for language in load_settings(checkout).languages[1:]:
        assert (checkout / "_build" / "preview" / language / "index.html").is_file()
    # The other commands, with the same venv: check, publish from a ledger, diff, import.
    def relnotes(*argv: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(docs / "relnotes"), *map(str, argv)], cwd=checkout,
                              capture_output=True, text=True, timeout=600, check=False)

    done = relnotes("check")
    assert done.returncode == 0, done.stdout + done.stderr
    ledger = load_settings(checkout).ledger
    write_ledger(passing_ledger(checkout), ledger)
    done = relnotes("verify", "diff", ledger, ledger)
    assert done.returncode == 0, done.stdout + done.stderr
    done = relnotes("publish", "--out", tmp_path / "published")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "published" / "index.html").is_file()
    # The section this site's content comes from, imported again beside its pages.
    done = relnotes("import", "text", SECTION, "--component", "kvm", "--release", "RHEL 5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^\d+ issues, .* created", done.stdout, re.MULTILINE), done.stdout


def test_a_new_site_works_from_init_to_publish(installed: Installed, tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = installed.relnotes("init", site)
    assert done.returncode == 0, done.stderr
    for command in (["check"], ["build", "--out", tmp_path / "preview"]):
        done = installed.relnotes("--site", site, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "preview" / "index.html").is_file()

    # CI's merge job: one ledger per target, merged, then the gate publishes from it.
    targets = load_settings(site).targets
    per_target = []
    for target in targets:
        path = tmp_path / "ledgers" / target / "ledger.json"
        write_ledger(passing_ledger(site, (target,)), path)
        per_target.append(path)
    merged = load_settings(site).ledger
    done = installed.relnotes("--site", site, "verify", "merge", *per_target, "-o", merged)
    assert done.returncode == 0, done.stderr
    assert f"{len(passing_ledger(site, targets).records)} records" in done.stdout
    done = installed.relnotes("--site", site, "verify", "diff", merged, merged)
    assert done.returncode == 0, done.stdout + done.stderr
    done = installed.relnotes("--site", site, "publish", "--out", tmp_path / "published")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "published" / "index.html").is_file()

    # The writer's commands that add pages.
    done = installed.relnotes("--site", site, "new", "slow-boot", "--component", "example",
                              "--kind", "known-issue", "--title", "The guest boots slowly")
    assert done.returncode == 0, done.stderr
    assert (site / "source" / "issues" / "slow-boot.md").is_file()
    done = installed.relnotes("import", "text", SECTION, "--component", "example", "--into", site)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_sites_own_tests_run_with_the_test_extra_alone(installed: Installed,
                                                             tmp_path: Path) -> None:
    # pytest loads the harness's plugin (an entry point of relnotes) in every run: without
    # libvirt's binding it must load, and the site's tests that need no daemon must pass.
    run(installed.bin / "python", "-m", "pip", "install", "-q", f"{installed.wheel}[test]",
        "-c", CONSTRAINTS)
    site = tmp_path / "site"
    assert installed.relnotes("init", site).returncode == 0
    done = subprocess.run([str(installed.bin / "python"), "-m", "pytest", "-q", "-p",
                           "no:cacheprovider", "-k", "not verified", "tests"], cwd=site,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 passed" in done.stdout
