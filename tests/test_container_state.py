"""The CLI's state file: what `up` records so `down`, `status` and `shell` find it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from relnotes.core.environment import Environment
from relnotes.engine.container.daemon import RunningDaemon
from relnotes.engine.container.errors import StateFileError
from relnotes.engine.container.state import load, parse, render, save, state_dir
from relnotes.engine.container.targets import get_target


def daemon(name: str = "trixie") -> RunningDaemon:
    return RunningDaemon(
        target=get_target(name),
        container=f"relnotes-libvirt-{name}-1-abc",
        socket_dir=Path(f"/run/relnotes/{name}"),
        environment=Environment(name, "11.3.0", "10.0.13", "kvm", "ab" * 32),
    )


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "daemons.json"
    daemons = {"trixie": daemon("trixie"), "bookworm": daemon("bookworm")}
    save(path, daemons)
    assert load(path) == daemons
    assert not list(path.parent.glob(".*")), "the temporary file was renamed into place"


def test_uri_points_at_the_recorded_socket() -> None:
    assert daemon().uri == "qemu:///system?socket=/run/relnotes/trixie/libvirt-sock"


def test_missing_file_means_nothing_is_up(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.json") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "Expecting property name"),
        ('{"version": 99, "daemons": {}}', "version 1"),
        ('{"version": 1, "daemons": []}', "must be an object"),
        ('{"version": 1}', "daemons"),
    ],
)
def test_unreadable_files_are_reported_with_their_path(text: str, message: str) -> None:
    with pytest.raises(StateFileError, match=message) as caught:
        parse(text, source="/run/relnotes/daemons.json")
    assert "/run/relnotes/daemons.json" in str(caught.value)
    assert "podman rm -f" in str(caught.value)


def test_unknown_target_and_bad_environment_are_reported() -> None:
    good = json.loads(render({"trixie": daemon()}))
    good["daemons"]["trixie"]["target"] = "sid"
    with pytest.raises(StateFileError, match="unknown libvirt target 'sid'"):
        parse(json.dumps(good), source="s")
    good = json.loads(render({"trixie": daemon()}))
    good["daemons"]["trixie"]["environment"]["accelerator"] = "hvf"
    with pytest.raises(StateFileError, match="accelerator"):
        parse(json.dumps(good), source="s")


def test_entry_filed_under_the_wrong_target_is_refused() -> None:
    text = render({"bookworm": daemon("trixie")})
    with pytest.raises(StateFileError, match="entry 'bookworm' is for 'trixie'"):
        parse(text, source="s")


def test_state_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RELNOTES_STATE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "explicit"
    monkeypatch.delenv("RELNOTES_STATE_DIR")
    assert state_dir() == tmp_path / "xdg" / "relnotes"
