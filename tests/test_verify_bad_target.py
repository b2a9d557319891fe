"""A target that cannot be verified at all is named with its failing step; the rest go on."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from relnotes.cli import main
from relnotes.core.ledger import load_ledger
from relnotes.engine import container, runner
from relnotes.engine.container import ImageBuildError, running_daemon
from relnotes.engine.container.targets import CONTAINERS_DIR, TARGETS, Target
from relnotes.engine.runner import TargetsFailedError

SNIPPETS = Path(__file__).parent.parent / "snippets"
CHECK = "kvm/kvm-win7-ac97/modern/ac97-sound.xml"


@pytest.fixture
def one_snippet(tmp_path: Path) -> Path:
    """A snippets dir with one quick check (AC'97 on a running guest) and the base guests."""
    root = tmp_path / "snippets"
    shutil.copytree(SNIPPETS / "_guests", root / "_guests")
    (root / CHECK).parent.mkdir(parents=True)
    for name in (CHECK, CHECK + ".check.toml"):
        shutil.copy(SNIPPETS / name, root / name)
    return root


def test_cli_reports_the_verified_targets_and_names_the_one_that_failed(
        one_snippet: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_verify_merge import fake_run_target

    @contextmanager
    def daemon(target: str, **_: Any) -> Iterator[SimpleNamespace]:
        if target == "bullseye":
            raise ImageBuildError("podman build of bullseye (containers/bullseye/Containerfile)",
                                  "E: Unable to locate package libvirt-daemon-driver-qemu")
        yield SimpleNamespace(target=target)

    monkeypatch.setattr(container, "running_daemon", daemon)
    monkeypatch.setattr(runner, "run_target", fake_run_target)
    out = tmp_path / "out"
    code = main(["verify", "--target", "bullseye", "--target", "trixie",
                 "--snippets-dir", str(one_snippet), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith(
        "error: target bullseye: not verified: podman build of bullseye "
        "(containers/bullseye/Containerfile) failed; last lines of its output:\n"
        "E: Unable to locate package libvirt-daemon-driver-qemu")
    assert "1 checks ran, 0 reused" in captured.out
    assert load_ledger(out / "ledger.json").targets() == ["trixie"]


@pytest.fixture
def broken_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Target:
    """A target whose Containerfile installs a package Debian does not have."""
    containers = tmp_path / "containers"
    shutil.copytree(CONTAINERS_DIR / "common", containers / "common")
    (containers / "broken").mkdir()
    (containers / "broken/Containerfile").write_text(
        "FROM localhost/debian-base:trixie\n"
        "RUN apt-get update && apt-get install -y relnotes-no-such-package\n")
    target = Target("broken", "trixie", libvirt_major=0, qemu_major=0,
                    containers_dir=containers)
    monkeypatch.setitem(TARGETS, "broken", target)
    return target


@pytest.mark.libvirt
def test_a_target_whose_packages_fail_to_install_does_not_stop_the_others(
        broken_target: Target, one_snippet: Path, tmp_path: Path) -> None:
    def factory(target: str) -> Any:
        return running_daemon(target, accelerator="tcg")

    out = tmp_path / "out"
    with pytest.raises(TargetsFailedError) as caught:
        runner.run(one_snippet, out, ["broken", "bullseye"], factory, log=lambda _: None)
    message = str(caught.value)
    assert message.startswith("target broken: not verified: podman build of broken (")
    assert "relnotes-no-such-package" in message
    assert "bullseye" not in message
    assert [r.result.value for r in caught.value.result.records] == ["passed"]
    ledger = load_ledger(out / "ledger.json")
    assert ledger.targets() == ["bullseye"]
    assert ledger.get(CHECK, "bullseye") is not None
