"""A refused publish publishes nothing: the gated build fails without -W, and the site moves
into place only from a staging directory that a successful build filled."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parent.parent
TEST_ROOT = Path(__file__).parent / "roots" / "test-snippets"


def promote_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("promote_site", ROOT / "tools/promote-site.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_refused_gated_build_exits_non_zero_without_w(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(TEST_ROOT, source)  # no ledger: nothing is verified
    staging = tmp_path / "staging"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", "relnotes_require_verified=1",
         str(source), str(staging)],
        env={"PYTHONPATH": str(ROOT / "_ext")}, capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "Publish refused" in done.stderr
    assert "comp/verified.xml: Not verified on bookworm" in done.stderr


def test_promotion_needs_a_built_site_and_replaces_the_old_one(tmp_path: Path) -> None:
    promote = promote_module().promote
    staging, site = tmp_path / "staging", tmp_path / "html"
    staging.mkdir()
    with pytest.raises(SystemExit, match="holds no built site; nothing published"):
        promote(staging, site)
    assert not site.exists()
    site.mkdir()
    (site / "index.html").write_text("old")
    (staging / "index.html").write_text("new")
    promote(staging, site)
    assert (site / "index.html").read_text() == "new"
    assert not staging.exists() and not (tmp_path / "html.old").exists()
