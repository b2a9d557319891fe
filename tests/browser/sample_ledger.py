"""A hand-made ledger for the real site, so the browser tests read pages as a verified site has them.

Every snippet's record follows its spec: a declared expected failure on a target is recorded as
that known failure with its declared reason, a ``not_verifiable`` spec as not verifiable, a
pending stub not at all, and everything else as passed with a control that still shows the
problem. Versions are those the four targets' daemons report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from relnotes.core.environment import Environment
from relnotes.core.ledger import Layer, LayerStatus, Ledger, Observation, Record, Status, write_ledger
from relnotes.core.plan import plan_loadable_checks
from relnotes.core.spec import declared_failure

ENVIRONMENTS = {
    "bullseye": Environment("bullseye", "7.0.0", "5.2.0", "kvm", "1" * 64),
    "bookworm": Environment("bookworm", "9.0.0", "7.2.19", "kvm", "2" * 64),
    "trixie": Environment("trixie", "11.3.0", "10.0.2", "kvm", "3" * 64),
    "trixie-backports": Environment("trixie-backports", "12.9.0", "11.1.0", "kvm", "4" * 64),
}
VERIFIED_AT = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


def sample_ledger(snippets_dir: Path, targets: tuple[str, ...] = tuple(ENVIRONMENTS)) -> Ledger:
    ledger = Ledger()
    for check in plan_loadable_checks(snippets_dir):
        driver = check.driver
        if driver.pending is not None:
            continue
        for target in targets:
            declared = declared_failure(driver, target, "kvm")
            if driver.not_verifiable is not None:
                result, reason, observations = Status.NOT_VERIFIABLE, driver.not_verifiable, ()
            elif declared is not None:
                result, reason, observations = Status.EXPECTED_FAILURE, declared[1], ()
            else:
                result, reason = Status.PASSED, None
                observations = tuple(
                    Observation(f"probe {index}", "contains 'wanted'", "['wanted']",
                                "['unwanted']", False)
                    for index, _effect in enumerate(driver.effects[:1]))
            for member in check.members:
                ledger.add(Record(
                    snippet=member.snippet, sha256=check.sha256(member.snippet),
                    inputs_sha256=check.inputs_sha256(target), result=result, reason=reason,
                    layers={"run": Layer(LayerStatus.PASSED)}, environment=ENVIRONMENTS[target],
                    verified_at=VERIFIED_AT, duration=12.5, check=driver.snippet,
                    summary=driver.summary, adaptation=driver.adaptation,
                    inputs=check.inputs(target), run_sequence=1, run_id="sample",
                    observations=observations if member is driver else (),
                ))
    return ledger


def write_sample_ledger(snippets_dir: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_ledger(sample_ledger(snippets_dir), path)
    return path
