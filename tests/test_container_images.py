"""Images: the cache key, the Containerfiles' shape, and build failures surfacing podman's output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from relnotes.engine.container.errors import ImageBuildError
from relnotes.engine.container.images import (
    bootstrap_base_image,
    context_digest,
    ensure_image,
    image_id_of,
)
from relnotes.engine.container.targets import CONTAINERS_DIR, TARGETS, Target

BASE = "1" * 64


@pytest.fixture
def context(tmp_path: Path) -> Target:
    """A copy of the real build context, safe to edit."""
    shutil.copytree(CONTAINERS_DIR, tmp_path / "containers")
    return Target("trixie", "trixie", 11, 10, containers_dir=tmp_path / "containers")


def test_digest_is_stable(context: Target) -> None:
    assert context_digest(context, BASE) == context_digest(context, BASE)


@pytest.mark.parametrize(
    "edit",
    [
        lambda root: (root / "trixie/Containerfile").write_text("FROM scratch\n"),
        lambda root: (root / "common/qemu.conf").write_text("user = 'nobody'\n"),
        lambda root: (root / "common/new.conf").write_text(""),
        lambda root: (root / "common/qemu.conf").chmod(0o755),
    ],
    ids=["containerfile", "shared-config", "new-file", "exec-bit"],
)
def test_digest_changes_with_any_build_input(context: Target, edit: object) -> None:
    before = context_digest(context, BASE)
    edit(context.containers_dir)  # type: ignore[operator]
    assert context_digest(context, BASE) != before


def test_digest_changes_with_the_base_image(context: Target) -> None:
    assert context_digest(context, BASE) != context_digest(context, "2" * 64)


def test_digest_ignores_other_targets(context: Target) -> None:
    before = context_digest(context, BASE)
    (context.containers_dir / "bookworm/Containerfile").write_text("FROM scratch\n")
    assert context_digest(context, BASE) == before


@pytest.mark.parametrize("target", TARGETS.values(), ids=list(TARGETS))
def test_containerfiles_build_from_their_base_and_copy_only_hashed_inputs(target: Target) -> None:
    """A COPY from outside the hashed directories would let the cache go stale."""
    text = target.containerfile.read_text()
    assert re.search(rf"^FROM {re.escape(target.base_image)}$", text, re.M)
    allowed = tuple(f"{d.relative_to(target.containers_dir)}/" for d in target.build_inputs)
    sources = [
        source
        for line in re.findall(r"^(?:COPY|ADD)\s+(.*)$", text, re.M)
        for source in line.split()[:-1]
        if not source.startswith("--")
    ]
    assert sources, "the Containerfile copies the daemon configuration"
    assert all(source.startswith(allowed) for source in sources), sources


@pytest.mark.skipif(shutil.which("debootstrap") is None, reason="debootstrap not installed")
def test_bootstrap_failure_carries_debootstrap_output() -> None:
    with pytest.raises(ImageBuildError, match="debootstrap of no-such-suite failed") as caught:
        bootstrap_base_image("no-such-suite", "localhost/relnotes-test-never-created:x")
    assert "no-such-suite" in caught.value.output


@pytest.mark.libvirt
def test_cached_image_is_reused() -> None:
    first = ensure_image(TARGETS["trixie"])
    second = ensure_image(TARGETS["trixie"])
    assert not second.built
    assert (second.tag, second.id) == (first.tag, first.id)
    assert image_id_of(first.tag) == first.id


@pytest.mark.libvirt
def test_broken_containerfile_raises_with_podman_output(context: Target) -> None:
    broken = Target("broken-test", "trixie", 0, 0, containers_dir=context.containers_dir)
    broken.containerfile.parent.mkdir()
    broken.containerfile.write_text(
        "FROM localhost/debian-base:trixie\nRUN echo relnotes-broken-marker && exit 3\n"
    )
    with pytest.raises(ImageBuildError) as caught:
        ensure_image(broken)
    message = str(caught.value)
    assert "podman build of broken-test" in message
    assert "relnotes-broken-marker" in message  # the RUN step's own output
    assert "exit status 3" in message  # and podman's verdict
    assert image_id_of(f"localhost/relnotes-libvirt:broken-test-{'0' * 16}") is None
