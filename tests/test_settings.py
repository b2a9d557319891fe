"""relnotes.toml: the one declaration of a site's facts, with located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.core.settings import SettingsError, load_settings


def write(root: Path, text: str) -> Path:
    (root / "relnotes.toml").write_text(text, encoding="utf-8")
    return root


def test_a_site_without_the_file_gets_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.snippets_dir == tmp_path.resolve() / "snippets"
    assert settings.ledger == tmp_path.resolve() / "_build/verification/ledger.json"
    assert settings.targets == ("bullseye", "bookworm", "trixie", "trixie-backports")
    assert settings.accelerator == "auto"
    assert settings.component_page("kvm") == "components/kvm"


def test_paths_are_resolved_against_the_site_root(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, 'snippets_dir = "snips"\nledger = "out/l.json"\n'))
    assert settings.snippets_dir == tmp_path.resolve() / "snips"
    assert settings.verification_dir == tmp_path.resolve() / "out"


def test_the_repository_site_declares_its_targets_once() -> None:
    settings = load_settings(Path(__file__).parents[1])
    assert "bookworm" in settings.targets and "networking" in settings.topics


@pytest.mark.parametrize(("text", "message"), [
    ('colour = "red"\n', r"relnotes.toml:1: colour: unknown key 'colour'"),
    ('targets = "bookworm"\n', r"relnotes.toml:1: targets: must be an array"),
    ('targets = []\n', r"relnotes.toml:1: targets: names no target"),
    ('\ntargets = ["Bookworm"]\n', r"relnotes.toml:2: targets: must be a list of lowercase names"),
    ('topics = ["a", "a"]\n', r"relnotes.toml:1: topics: names a value twice"),
    ('accelerator = "hvf"\n', r"relnotes.toml:1: accelerator: must be one of auto, kvm, tcg"),
    ('bugzilla_url = "https://x/"\n', r"relnotes.toml:1: bugzilla_url: must contain '\{bz\}'"),
    ('ledger = "../../elsewhere.json"\n', r"relnotes.toml:1: ledger: '../../elsewhere.json' is outside"),
    ('snippet_size_limit = 0\n', r"relnotes.toml:1: snippet_size_limit: must be a positive"),
    ('[components]\n"Bad Name" = "x"\n', r"relnotes.toml:2: components.Bad Name: a component name is"),
    ('targets = [\n', r"relnotes.toml:1: not valid TOML"),
])
def test_a_bad_value_is_an_error_at_its_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(write(tmp_path, text))


def test_a_file_that_is_not_utf8_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "relnotes.toml").write_bytes(b'topics = ["\xff"]\n')
    with pytest.raises(SettingsError, match=r"relnotes.toml: not UTF-8 text"):
        load_settings(tmp_path)


def test_a_target_outside_the_catalogue_is_an_error_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"relnotes.toml:1: targets: unknown target 'sid' "
                                            r"\(known: bullseye, bookworm, trixie, trixie-backports\)"):
        load_settings(write(tmp_path, 'targets = ["bookworm", "sid"]\n'))
