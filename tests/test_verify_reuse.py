"""A no-change re-run starts no daemon when the image says the environment is the same."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from relnotes.core.environment import Environment
from relnotes.core.ledger import Layer, LayerStatus, Ledger, Record, Status
from relnotes.core.plan import Check
from relnotes.engine import runner
from relnotes.engine.container import ImageBuildError
from relnotes.engine.reuse import ImageIdentity
from relnotes.engine.runner import TargetsFailedError

SNIPPETS = Path(__file__).parent.parent / "snippets"
CHECK = "kvm/kvm-win7-ac97/modern/ac97-sound.xml"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def environment(target: str) -> Environment:
    return Environment(target, "7.0.0", "5.2.0", "kvm", "img-1")


def passing_run_target(daemon: Any, checks: Sequence[Check], ledger: Ledger, *, force: bool,
                       jobs: int, log: Any = print, this_run: Any = None,
                    stop: Any = None, mutate: bool = True) -> runner.RunResult:
    result = runner.RunResult()
    for check in checks:
        for member in check.members:
            result.records.append(Record(
                member.snippet, check.sha256(member.snippet), check.inputs_sha256(daemon.target),
                Status.PASSED, None, {"effect": Layer(LayerStatus.PASSED, "seen")},
                environment(daemon.target), T0, 1.0, "", check.key))
        result.ran += 1
    return result


class Daemons:
    """Counts the daemons started, per target."""

    def __init__(self) -> None:
        self.started: list[str] = []

    @contextmanager
    def __call__(self, target: str) -> Iterator[SimpleNamespace]:
        self.started.append(target)
        yield SimpleNamespace(target=target)


@pytest.fixture
def snippets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(runner, "run_target", passing_run_target)
    root = tmp_path / "snippets"
    shutil.copytree(SNIPPETS / "_guests", root / "_guests")
    (root / CHECK).parent.mkdir(parents=True)
    for name in (CHECK, CHECK + ".check.toml"):
        shutil.copy(SNIPPETS / name, root / name)
    return root


def same_image(target: str) -> ImageIdentity:
    return ImageIdentity("img-1", "kvm")


def test_a_no_change_rerun_on_the_same_image_starts_no_daemon(snippets: Path,
                                                              tmp_path: Path) -> None:
    daemons = Daemons()
    runner.run(snippets, tmp_path / "out", ["bullseye"], daemons, identity=same_image)
    assert daemons.started == ["bullseye"]  # nothing to reuse yet
    again = runner.run(snippets, tmp_path / "out", ["bullseye"], daemons, identity=same_image)
    assert daemons.started == ["bullseye"]
    assert (again.ran, again.reused, [r.result for r in again.records]) == (
        0, 1, [Status.PASSED])


@pytest.mark.parametrize("change", ["new image", "other accelerator", "edited spec", "force"])
def test_anything_changed_starts_the_daemon(snippets: Path, tmp_path: Path, change: str) -> None:
    daemons = Daemons()
    runner.run(snippets, tmp_path / "out", ["bullseye"], daemons, identity=same_image)
    identity = {"new image": lambda _t: ImageIdentity("img-2", "kvm"),
                "other accelerator": lambda _t: ImageIdentity("img-1", "tcg")}.get(
        change, same_image)
    if change == "edited spec":
        spec = snippets / (CHECK + ".check.toml")
        spec.write_text(spec.read_text() + "\n# edited\n")
    runner.run(snippets, tmp_path / "out", ["bullseye"], daemons, identity=identity,
               force=change == "force")
    assert daemons.started == ["bullseye", "bullseye"]


def test_an_image_that_cannot_be_built_fails_that_target_only(snippets: Path,
                                                              tmp_path: Path) -> None:
    def identity(target: str) -> ImageIdentity:
        if target == "bullseye":
            raise ImageBuildError("debootstrap of bullseye", "E: Failed getting release file")
        return same_image(target)

    daemons = Daemons()
    with pytest.raises(TargetsFailedError, match="target bullseye: not verified: debootstrap "
                       "of bullseye failed; last lines of its output:\nE: Failed getting"):
        runner.run(snippets, tmp_path / "out", ["bullseye", "trixie"], daemons,
                   identity=identity)
    assert daemons.started == ["trixie"]
