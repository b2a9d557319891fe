"""The targets are declared once, in the harness; the site's configuration must name the same."""

from __future__ import annotations

import runpy
from pathlib import Path

from relnotes.verify.container.targets import TARGETS

ROOT = Path(__file__).parent.parent


def test_the_site_badges_every_declared_target_in_order() -> None:
    conf = runpy.run_path(str(ROOT / "conf.py"))
    assert conf["relnotes_targets"] == list(TARGETS), (
        "conf.py's relnotes_targets must list the targets of "
        "_ext/relnotes/verify/container/targets.py, in the same order")

