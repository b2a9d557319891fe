"""The targets are one catalogue in the core; each has its Containerfile, and the site picks some."""

from __future__ import annotations

from pathlib import Path

from relnotes.core.settings import load_settings
from relnotes.core.targets import CATALOGUE, NEWEST_TARGET, TARGET_NAMES
from relnotes.engine.container.targets import CONTAINERS_DIR, TARGETS

ROOT = Path(__file__).parent.parent


def test_every_catalogue_target_has_a_containerfile_and_nothing_else_does() -> None:
    folders = {p.parent.name for p in CONTAINERS_DIR.glob("*/Containerfile")}
    assert folders == set(TARGET_NAMES)


def test_the_harness_builds_exactly_the_catalogue_in_its_order() -> None:
    assert list(TARGETS) == list(TARGET_NAMES)
    assert [(t.suite, t.libvirt_major) for t in TARGETS.values()] == [
        (t.suite, t.libvirt_major) for t in CATALOGUE]


def test_the_catalogue_is_oldest_first() -> None:
    majors = [t.libvirt_major for t in CATALOGUE]
    assert majors == sorted(majors) and NEWEST_TARGET == "trixie-backports"


def test_this_site_verifies_on_every_target() -> None:
    assert load_settings(ROOT).targets == TARGET_NAMES
