"""CI runs the README's commands in their order, and tox hands tools the host's network settings."""

from __future__ import annotations

import configparser
import fnmatch
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What pip and npm need behind a proxy or with a private certificate authority.
NETWORK_SETTINGS = ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
                    "PIP_CERT", "PIP_INDEX_URL", "https_proxy", "HTTPS_PROXY", "http_proxy",
                    "HTTP_PROXY", "no_proxy", "NO_PROXY", "npm_config_cafile")
#: Options that hide a failing tool's message.
SILENCING = re.compile(r"(^|\s)(--silent|-s|--quiet|-q|--loglevel[= ]silent)(\s|$)|>\s*/dev/null")


def tox_config(path: Path) -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(path, encoding="utf-8")
    return config


def passed_through(config: configparser.ConfigParser, section: str) -> list[str]:
    """The passenv patterns of an environment (its own, else [testenv]'s)."""
    value = config.get(section, "passenv", fallback=None) or config.get("testenv", "passenv")
    return [p for p in re.split(r"[\s,]+", value) if p and not p.startswith("{")]


def missing_settings(config: configparser.ConfigParser) -> dict[str, list[str]]:
    return {
        section: missing
        for section in config.sections() if section.startswith("testenv")
        if (missing := [name for name in NETWORK_SETTINGS
                        if not any(fnmatch.fnmatchcase(name, p)
                                   for p in passed_through(config, section))])
    }


def silenced_commands(config: configparser.ConfigParser) -> list[str]:
    return [line.strip() for section in config.sections()
            for line in config.get(section, "commands", fallback="").splitlines()
            if not line.strip().startswith("#") and SILENCING.search(line)]


def test_every_tox_environment_gets_the_hosts_proxy_and_certificate_settings() -> None:
    assert missing_settings(tox_config(ROOT / "tox.ini")) == {}


def test_no_tox_command_silences_its_errors() -> None:
    assert silenced_commands(tox_config(ROOT / "tox.ini")) == []


@pytest.fixture
def broken_tox(tmp_path: Path) -> configparser.ConfigParser:
    (tmp_path / "tox.ini").write_text(
        "[testenv]\npassenv = HOME, PIP_*\n"
        "[testenv:lint]\ncommands =\n    npm ci --prefix tools --silent\n    ruff check .\n")
    return tox_config(tmp_path / "tox.ini")


def test_the_checks_see_a_dropped_setting_and_a_silenced_command(
        broken_tox: configparser.ConfigParser) -> None:
    assert "NODE_EXTRA_CA_CERTS" in missing_settings(broken_tox)["testenv:lint"]
    assert "PIP_CERT" not in missing_settings(broken_tox)["testenv:lint"]
    assert silenced_commands(broken_tox) == ["npm ci --prefix tools --silent"]


def test_ci_runs_make_html_then_make_test() -> None:
    commands = [shlex.split(line) for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.startswith("make")]
    assert commands == [["make", "html"], ["make", "test"]]


def test_the_workflows_merge_and_gate_use_relnotes_without_extras() -> None:
    # As tests/test_fresh_install.py runs them: merging and publishing need no libvirt binding.
    import yaml  # MyST's dependency: present wherever the docs build is

    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "verify.yml").read_text())["jobs"]
    merge = [step["run"] for step in jobs["merge"]["steps"] if "run" in step]
    assert [run for run in merge if "pip install" in run] == [
        "python -m pip install . -c requirements/constraints.txt"]
    assert any(run.startswith("relnotes verify merge ") for run in merge)
    site = [step["run"] for step in jobs["site"]["steps"] if "run" in step]
    assert "tox -e gate" in site and not any("libvirt-dev" in run for run in site)
    gate = tox_config(ROOT / "tox.ini")["testenv:gate"]
    assert gate["extras"].strip() == "" and "libvirt" not in gate["deps"]
