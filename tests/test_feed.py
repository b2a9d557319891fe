"""Atom feeds of verdict changes between publishes, from hand-made published ledgers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from relnotes.core.feed import (
    archive_published_ledger,
    load_history,
    published_dir,
    published_ledgers,
    verdict_changes,
)
from relnotes.core.ledger import Ledger, Status, SymptomObservation, load_ledger, write_ledger
from sphinx.application import Sphinx

from tests.sphinx_build import page, warning_at, warnings_of
from tests.test_compatibility import ALREADY, STILL, record

ATOM = "{http://www.w3.org/2005/Atom}"
MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)


def ledger_of(srcdir: Path, results: dict[tuple[str, str], Status]) -> Ledger:
    ledger = Ledger()
    for (snippet, target), result in results.items():
        ledger.add(record(srcdir, snippet, target, result))
    return ledger


def publish(srcdir: Path, results: dict[tuple[str, str], Status], when: datetime) -> None:
    """What relnotes publish leaves: the ledger, and its copy among the published ones."""
    write_ledger(ledger_of(srcdir, results), srcdir / "ledger.json")
    assert archive_published_ledger(srcdir / "ledger.json", when) is not None


BEFORE = {("comp/model.xml", "trixie-backports"): Status.PASSED,
          ("comp/model.xml", "trixie"): Status.PASSED,
          ("comp/script.sh", "bookworm"): Status.FAILED}
AFTER = {("comp/model.xml", "trixie-backports"): Status.FAILED,
         ("comp/model.xml", "trixie"): Status.PASSED,
         ("comp/script.sh", "bookworm"): Status.PASSED}


def test_a_publish_keeps_its_ledger_once(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    assert archive_published_ledger(ledger) is None  # no ledger: nothing to keep
    write_ledger(Ledger(), ledger)
    first = archive_published_ledger(ledger, MAY)
    assert first == published_dir(ledger) / "20260501T000000Z.json"
    assert archive_published_ledger(ledger, JUNE) is None  # the same ledger again
    assert [when for when, _ in published_ledgers(ledger)] == [MAY]


def test_changes_between_successive_publishes_are_said_in_words(tmp_path: Path) -> None:
    root = Path(__file__).parent / "roots" / "test-compat"
    history = [(MAY, ledger_of(root, BEFORE)), (JUNE, ledger_of(root, AFTER))]
    words = {(c.snippet, c.target): (c.published, c.words()) for c in verdict_changes(history)}
    assert words == {
        ("comp/model.xml", "trixie-backports"): (JUNE, "the workaround now fails on libvirt 12.9"),
        ("comp/script.sh", "bookworm"): (JUNE, "the workaround now works on libvirt 9.0"),
    }
    gone = verdict_changes([(MAY, ledger_of(root, BEFORE)), (JUNE, Ledger())])
    assert {c.words() for c in gone} >= {"no longer verified on libvirt 12.9"}
    assert verdict_changes([(MAY, ledger_of(root, BEFORE))]) == []  # one publish: no change


def test_the_publish_in_progress_says_its_own_changes_before_its_ledger_is_archived(
        tmp_path: Path) -> None:
    root = Path(__file__).parent / "roots" / "test-compat"
    ledger = tmp_path / "ledger.json"
    write_ledger(ledger_of(root, BEFORE), ledger)
    archive_published_ledger(ledger, MAY)
    assert len(load_history(ledger)) == 1  # the ledger shown is the one published: no change
    write_ledger(ledger_of(root, AFTER), ledger)  # a new verification, not yet published
    history = load_history(ledger)
    assert len(history) == 2
    changes = {(c.snippet, c.target) for c in verdict_changes(history)}
    assert changes == {("comp/model.xml", "trixie-backports"), ("comp/script.sh", "bookworm")}
    assert load_history(ledger) == history  # dated by the ledger's write: the same every build


def test_a_problem_no_longer_reproduced_is_a_change_of_its_own(tmp_path: Path) -> None:
    root = Path(__file__).parent / "roots" / "test-compat"
    key = ("comp/model.xml", "trixie-backports")

    def ledger(symptom: SymptomObservation | None) -> Ledger:
        made = Ledger()
        made.add(record(root, *key, Status.PASSED, symptom=symptom))
        return made

    history = [(MAY, ledger(STILL)), (JUNE, ledger(ALREADY))]
    assert [c.words() for c in verdict_changes(history)] == [
        "the problem is no longer reproduced on libvirt 12.9"]
    back = [(MAY, ledger(ALREADY)), (JUNE, ledger(STILL))]
    assert [c.words() for c in verdict_changes(back)] == [
        "the problem is reproduced again on libvirt 12.9"]
    # No symptom observed on one side: nothing is said about reproducing the problem.
    assert verdict_changes([(MAY, ledger(None)), (JUNE, ledger(ALREADY))]) == []
    assert verdict_changes([(MAY, ledger(STILL)), (JUNE, ledger(STILL))]) == []


def entries(path: Path) -> list[str]:
    feed = ElementTree.parse(path).getroot()
    return [entry.findtext(f"{ATOM}title") or "" for entry in feed.iter(f"{ATOM}entry")]


@pytest.mark.sphinx("html", testroot="compat", srcdir="feed", freshenv=True)
def test_the_site_and_each_changed_issue_have_a_feed_linked_from_the_pages(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    publish(srcdir, BEFORE, MAY)
    publish(srcdir, AFTER, JUNE)
    app.build()
    assert [w for w in warnings_of(app) if "feed" in w or "published" in w] == []
    out = Path(app.outdir)
    assert sorted(entries(out / "feed.atom")) == [
        "A NIC issue: the workaround now fails on libvirt 12.9",
        "A NIC issue: the workaround now works on libvirt 9.0"]
    assert len(entries(out / "feeds" / "compat-nic.atom")) == 2
    assert not (out / "feeds" / "compat-bare.atom").exists()  # nothing changed there
    links = {link["title"]: link["href"] for link in page(app, "issue.html").select(
        'link[type="application/atom+xml"]')}
    assert links == {"Verdict changes": "feed.atom",
                     "Verdict changes of this issue": "feeds/compat-nic.atom"}
    assert len(page(app, "bare.html").select('link[type="application/atom+xml"]')) == 1


@pytest.mark.sphinx("html", testroot="compat", srcdir="feed-broken", freshenv=True)
def test_an_unreadable_published_ledger_is_a_located_warning(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    publish(srcdir, BEFORE, MAY)
    broken = published_dir(srcdir / "ledger.json") / "20260601T000000Z.json"
    broken.write_text("{not json")
    app.build()
    warning_at(app, "20260601T000000Z.json", None, "published ledger:")
    assert entries(Path(app.outdir) / "feed.atom") == []
    assert load_ledger(srcdir / "ledger.json").records  # the ledger itself is untouched


@pytest.mark.sphinx("html", testroot="compat", srcdir="feed-ja", freshenv=True,
                    confoverrides={"language": "ja"})
def test_a_japanese_build_says_its_feed_entries_in_japanese(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    publish(srcdir, BEFORE, MAY)
    publish(srcdir, AFTER, JUNE)
    app.build()
    assert sorted(entries(Path(app.outdir) / "feed.atom")) == [
        "A NIC issue: libvirt 12.9 で回避策が失敗するようになりました",
        "A NIC issue: libvirt 9.0 で回避策が機能するようになりました"]
