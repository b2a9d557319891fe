"""Ledgers written by hand, as a verify run would have written them."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from relnotes.core.environment import Environment
from relnotes.core.ledger import Ledger, Record, Status, sort_key
from relnotes.core.plan import plan_checks
from relnotes.core.settings import load_settings

ENVIRONMENTS = {
    "bullseye": Environment("bullseye", "7.0.0", "5.2.0", "kvm", "sha256:1111"),
    "bookworm": Environment("bookworm", "9.0.0", "7.2.19", "kvm", "sha256:2222"),
    "trixie": Environment("trixie", "11.3.0", "10.0.2", "kvm", "sha256:3333"),
    "trixie-backports": Environment("trixie-backports", "12.9.0", "11.1.0", "kvm", "sha256:4444"),
}


def passing_ledger(site: Path, targets: tuple[str, ...] | None = None) -> Ledger:
    """Every snippet of the site recorded as passed on ``targets`` (default: the site's)."""
    settings = load_settings(site)
    snippets = settings.snippets_dir
    ledger = Ledger()
    for check in plan_checks(snippets):
        for member in check.members:
            data = (snippets / member.snippet).read_bytes()
            for target in targets or settings.targets:
                ledger.add(Record(
                    snippet=member.snippet, sha256=hashlib.sha256(data).hexdigest(),
                    inputs_sha256="x", result=Status.PASSED, reason=None, layers={},
                    environment=ENVIRONMENTS[target],
                    verified_at=datetime(2026, 11, 20, tzinfo=UTC), duration=1.0,
                    inputs=check.inputs(target), run_sequence=1, run_id="a"))
    return ledger


def write_format_2(ledger: Ledger, path: Path) -> None:
    """``ledger`` as a run wrote it before format 3: one JSON object, one record a line."""
    records = [json.dumps(record.to_json(), sort_keys=True)
               for record in sorted(ledger.all_records(), key=sort_key)]
    path.write_text('{"format": 2, "records": [' + ",\n".join(records)
                    + f'], "sequence": {ledger.sequence}}}\n')


def format_3_lines(path: Path) -> tuple[dict[str, object], list[dict[str, object]]]:
    """A format 3 file's header and records, parsed."""
    header, *records = path.read_text().splitlines()
    return json.loads(header), [json.loads(line) for line in records]
