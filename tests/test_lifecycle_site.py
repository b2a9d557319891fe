"""The lifecycle on the site and in drift, from hand-made ledgers whose records carry the
symptom observation (the ``symptom`` key of a record; absent in older ledgers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.ledger import Ledger, Status, write_ledger
from sphinx.application import Sphinx

from tests.ledgers import format_3_lines
from tests.sphinx_build import page
from tests.test_compatibility import record

TARGETS = ("bullseye", "bookworm", "trixie", "trixie-backports")


def write(srcdir: Path, path: Path, symptoms: dict[str, bool | None]) -> None:
    """Both snippets of the NIC issue passed everywhere; the problem as ``symptoms`` says."""
    ledger = Ledger()
    for snippet in ("comp/model.xml", "comp/script.sh"):
        for target in TARGETS:
            ledger.add(record(srcdir, snippet, target, Status.PASSED))
    write_ledger(ledger, path)
    header, records = format_3_lines(path)
    for item in records:
        present = symptoms.get(item["environment"]["target"])
        if present is not None:
            item["symptom"] = {"probe": "nic models", "problem": "lacks 'e1000'",
                               "value": "['rtl8139']" if present else "['e1000']",
                               "present": present}
    path.write_text("".join(json.dumps(item) + "\n" for item in [header, *records]))


def sentence(app: Sphinx) -> str | None:
    found = page(app, "issue.html").select_one("p.rn-lifecycle")
    return found.get_text() if found else None


@pytest.mark.sphinx("html", testroot="compat", srcdir="lifecycle-page", freshenv=True)
def test_the_page_says_from_which_version_the_problem_is_not_reproduced(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    write(srcdir, srcdir / "ledger.json", {"bullseye": True, "bookworm": True,
                                           "trixie": False, "trixie-backports": False})
    app.build()
    assert sentence(app) == ("Not reproduced on libvirt 11.3 and later: the problem did not "
                             "show on an unchanged guest there.")


@pytest.mark.sphinx("html", testroot="compat", srcdir="lifecycle-silent", freshenv=True)
def test_the_page_says_nothing_where_the_observation_is_absent(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    write(srcdir, srcdir / "ledger.json", {"bullseye": True, "trixie": False})
    app.build()
    assert sentence(app) is None  # the newest target has no observation


def test_verify_diff_lists_candidates_no_longer_reproduced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).parent / "roots" / "test-compat"
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    write(root, old, dict.fromkeys(TARGETS, True))
    write(root, new, {**dict.fromkeys(TARGETS, True), "trixie-backports": False})
    assert main(["verify", "diff", str(old), str(new), "--snippets-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("candidate: no longer reproduced: trixie-backports: comp/model.xml: the problem "
            "did not show on the unchanged guest on libvirt 12.9") in out.splitlines()
    assert out.count("candidate: no longer reproduced") == 2  # both snippets, one target
