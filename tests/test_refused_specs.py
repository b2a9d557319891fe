"""Specs the evidence model refuses: each broken copy under tests/fixtures/refused-specs/ is
refused before any daemon starts, at its file and line, with the fix named, exit 2, and no
ledger written."""

from __future__ import annotations

from pathlib import Path

import pytest
from relnotes.cli import main

ROOT = Path(__file__).parent.parent
REFUSED = Path(__file__).parent / "fixtures" / "refused-specs"


@pytest.mark.parametrize(("copy", "where", "message"), [
    ("control-guest", "sound.xml.check.toml:2: control_guest:",
     "a control guest is no longer stated: the engine's control is the same base guest, in "
     "the same run, without the snippet. Remove control_guest"),
    ("identity-discriminator", "sound.xml.check.toml:14: effects[1].control:",
     "'distinct-identity' depends on the guest's identity, which always differs from its "
     "control's, so it cannot show what the snippet does; use control = \"none\""),
    ("equivalent-without-reason", "sound.xml.check.toml:12: equivalent[0].mutant:",
     "an equivalent mutant needs reason = \"...\": why removing this part cannot change the "
     "effect here"),
    ("unknown-symptom-probe", "sound.xml.check.toml:12: symptom.probe:",
     "'sound-cards' is not a probe; use one of: block-formats, cmdline, cpu, nic-models, "
     "pci-ids, qom, vnc-auth"),
    ("failure-without-layer", "fails.sh.check.toml:4: expected_failure.bookworm:",
     "needs [failure_layer] bookworm: the layer the failure happens in"),
])
def test_a_refused_spec_is_named_at_its_line_with_the_fix_and_nothing_runs(
        copy: str, where: str, message: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--site", str(ROOT), "verify", "--snippets-dir", str(REFUSED / copy),
                 "--out", str(tmp_path / "out"), "--target", "bookworm"])
    error = capsys.readouterr().err
    assert code == 2, error
    assert f"{REFUSED / copy}/kvm/x/{where} {message}" in error
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_every_refused_copy_is_tested() -> None:
    tested = {"control-guest", "identity-discriminator", "equivalent-without-reason",
              "unknown-symptom-probe", "failure-without-layer"}
    assert {path.name for path in REFUSED.iterdir()} == tested
