"""Verdict changes between successive publishes, from the ledgers each publish showed.

``relnotes publish`` keeps a copy of the ledger it published (``published/`` beside the
ledger, one file per publish whose ledger changed, named by its UTC time). Successive copies
compared per (snippet, target) give what a reader of the site would want to be told: "the
workaround now fails on libvirt 12.9". Sphinx-free: the site's Atom feeds are written from it.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relnotes.core.atomic import write_atomic
from relnotes.core.ledger import Ledger, LedgerError, Record, Status, load_ledger
from relnotes.core.results import meaning

PUBLISHED_DIR = "published"
_NAME = re.compile(r"^(\d{8}T\d{6}Z)\.json$")


def published_dir(ledger: Path) -> Path:
    return ledger.parent / PUBLISHED_DIR


def archive_published_ledger(ledger: Path, now: datetime | None = None) -> Path | None:
    """Keep a copy of the ledger a publish showed; None when it equals the last copy (or
    there is no ledger)."""
    try:
        data = ledger.read_bytes()
    except FileNotFoundError:
        return None
    folder = published_dir(ledger)
    copies = published_ledgers(ledger)
    if copies and copies[-1][1].read_bytes() == data:
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stamp}.json"
    write_atomic(target, data)
    return target


def published_ledgers(ledger: Path) -> list[tuple[datetime, Path]]:
    """The copies, oldest first, with the time of their publish."""
    folder = published_dir(ledger)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            when = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            found.append((when, path))
    return sorted(found)


@dataclass(frozen=True)
class VerdictChange:
    """One (snippet, target) whose recorded result, or whether the issue's problem was
    observed on the unchanged guest (its symptom), differs from the previous publish."""

    published: datetime
    snippet: str
    target: str
    libvirt: str | None  # the target's libvirt version in the later ledger ("12.9")
    before: Status | None  # None: no record then
    after: Status | None
    # The symptom observed on the unchanged guest, then and now (None: not observed either way).
    reproduced_before: bool | None = None
    reproduced_after: bool | None = None

    @property
    def where(self) -> str:
        return f"libvirt {self.libvirt}" if self.libvirt else self.target

    def words(self, translate: Callable[[str], str] = str) -> str:
        """What changed, in words; ``translate`` gives a template and a result's words in the
        reader's language (the English templates are the catalog's message ids)."""
        return translate("; ").join(
            translate(template) % {name: translate(value) if name in _TRANSLATED else value
                                   for name, value in values.items()}
            for template, values in self.phrases())

    def phrases(self) -> list[tuple[str, dict[str, str]]]:
        """Each part of what changed as (English template, its values)."""
        found = []
        if (result := self._result_phrase()) is not None:
            found.append(result)
        if (symptom := self._symptom_phrase()) is not None:
            found.append(symptom)
        return found

    def _result_phrase(self) -> tuple[str, dict[str, str]] | None:
        where = {"where": self.where}
        if self.after is self.before:
            return None
        if self.after is Status.FAILED:
            return "the workaround now fails on %(where)s", where
        if self.after is Status.PASSED:
            return "the workaround now works on %(where)s", where
        if self.after is None:
            return "no longer verified on %(where)s", where
        before = meaning(self.before).words if self.before else meaning(Status.MISSING).words
        return "now %(now)s (was %(was)s) on %(where)s", {
            "now": meaning(self.after).words, "was": before, **where}

    def _symptom_phrase(self) -> tuple[str, dict[str, str]] | None:
        if self.reproduced_before is None or self.reproduced_after is None \
                or self.reproduced_before == self.reproduced_after:
            return None
        if self.reproduced_after:
            return "the problem is reproduced again on %(where)s", {"where": self.where}
        return "the problem is no longer reproduced on %(where)s", {"where": self.where}


#: The templates every feed entry is made of, for the catalogs (a test checks each has its
#: translation).
TEMPLATES = ("the workaround now fails on %(where)s", "the workaround now works on %(where)s",
             "no longer verified on %(where)s", "now %(now)s (was %(was)s) on %(where)s",
             "the problem is reproduced again on %(where)s",
             "the problem is no longer reproduced on %(where)s", "; ")
# Values that are words of the results table (translated too); "where" is a version name.
_TRANSLATED = frozenset({"now", "was"})


def _reproduced(record: Record | None) -> bool | None:
    return record.symptom.present if record is not None and record.symptom is not None else None


def verdict_changes(history: Sequence[tuple[datetime, Ledger]]) -> list[VerdictChange]:
    """Every change between successive ledgers, newest publish first."""
    changes: list[VerdictChange] = []
    for (_, old), (when, new) in itertools.pairwise(history):
        for key in sorted(set(old.records) | set(new.records)):
            before, after = old.records.get(key), new.records.get(key)
            record = after or before
            assert record is not None
            libvirt = ".".join(record.environment.libvirt_version.split(".")[:2]) or None
            change = VerdictChange(when, key[0], key[1], libvirt,
                                   before.result if before else None,
                                   after.result if after else None,
                                   _reproduced(before), _reproduced(after))
            if change.words():
                changes.append(change)
    return sorted(changes, key=lambda change: change.published, reverse=True)


def load_history(ledger: Path) -> list[tuple[datetime, Ledger]]:
    """The published ledgers, oldest first (a LedgerError names an unreadable one), then the
    ledger this build shows when it differs from the last of them: a publish is archived only
    once it is in place, so its own changes must come from the ledger itself. It is dated by
    its last write, so the same ledger gives the same feed in every build."""
    copies = published_ledgers(ledger)
    history = [(when, load_ledger(path)) for when, path in copies]
    try:
        current = ledger.read_bytes()
        written = datetime.fromtimestamp(ledger.stat().st_mtime, UTC)
    except FileNotFoundError:
        return history
    if not copies or copies[-1][1].read_bytes() != current:
        # An unreadable ledger is reported once, where the build reads it for the badges.
        with contextlib.suppress(LedgerError):
            history.append((written, load_ledger(ledger)))
    return history
