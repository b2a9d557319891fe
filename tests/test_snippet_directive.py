"""The rn:snippet directive: exact bytes, download, badges from the ledger, and the publish gate."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from relnotes.core.environment import Environment
from relnotes.core.ledger import Layer, LayerStatus, Ledger, Record, Status, write_ledger
from relnotes.core.plan import plan_checks
from sphinx.application import Sphinx

from tests.sphinx_build import ANSI, evidence, page, warning_at, warnings_of

BOOKWORM = Environment("bookworm", "9.0.0", "7.2.19", "kvm", "sha256:aaaa")
TRIXIE = Environment("trixie", "11.3.0", "10.0.2", "tcg", "sha256:bbbb")


ROOT_SNIPPETS = Path(__file__).parent / "roots" / "test-snippets" / "snippets"


def inputs_of(snippet: str, target: str) -> dict[str, str]:
    """What the engine would record as the check's inputs (the test root's specs are real)."""
    checks = {m.snippet: c for c in plan_checks(ROOT_SNIPPETS) for m in c.members}
    return checks[snippet].inputs(target)


def record(snippet: str, data: bytes, environment: Environment, result: Status,
           reason: str | None = None) -> Record:
    return Record(
        inputs=inputs_of(snippet, environment.target),
        snippet=snippet, sha256=hashlib.sha256(data).hexdigest(), inputs_sha256="x",
        result=result, reason=reason,
        layers={"effect": Layer(LayerStatus.PASSED if result is Status.PASSED else LayerStatus.FAILED)},
        environment=environment, verified_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        duration=1.5,
    )


def write_test_ledger(srcdir: Path) -> None:
    verified = (srcdir / "snippets/comp/verified.xml").read_bytes()
    ledger = Ledger()
    ledger.add(record("comp/verified.xml", verified, BOOKWORM, Status.PASSED))
    ledger.add(record("comp/verified.xml", verified, TRIXIE, Status.FAILED,
                      "QEMU no longer accepts -cpu ?"))
    # Verified once, then the file changed: stale.
    ledger.add(record("comp/script.sh", b"old bytes\n", BOOKWORM, Status.PASSED))
    write_ledger(ledger, srcdir / "ledger.json")


def written(app: Sphinx) -> set[str]:
    """Docnames the build wrote, from its status output."""
    status = ANSI.sub("", app._status.getvalue())  # type: ignore[attr-defined]
    return set(re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", status))


def badges(app: Sphinx, key: str) -> list[tuple[str, str]]:
    """The snippet's badges: a pending one under it, the others in its evidence."""
    block = page(app, "issue.html").select_one(f'div.rn-snippet[id="snippet-{key}"]')
    assert block is not None, key
    part = evidence(app, "issue", key)
    spans = block.select("span.rn-badge") + (part.select("span.rn-badge") if part else [])
    return [(next(c for c in span["class"] if c.startswith("rn-badge-")), span.get_text())
            for span in spans]



def errors_of(app: Sphinx) -> str:
    """The build's errors (the publish gate's refusal is one, with no type to filter)."""
    text = ANSI.sub("", app.warning.getvalue())  # type: ignore[attr-defined]
    return text[text.index("ERROR"):] if "ERROR" in text else ""


@pytest.mark.sphinx("html", testroot="snippets", srcdir="snippet-badges", freshenv=True)
def test_snippet_shows_exact_bytes_download_and_badges(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    script = (Path(app.srcdir) / "snippets/comp/script.sh").read_bytes()
    block = page(app, "issue.html").select_one('div.rn-snippet[id="snippet-comp-script-sh"]')
    assert block.select_one("pre").get_text() == script.decode()
    # The copy button's source keeps tab, trailing blanks and the final newline.
    encoded = block.select_one("template.rn-snippet-bytes")["data-content"]
    assert base64.b64decode(encoded) == script
    download = block.select_one("a.download")
    assert download is not None and download["href"].endswith("/script.sh")
    assert (Path(app.outdir) / download["href"].removeprefix("../")).read_bytes() == script

    assert badges(app, "comp-verified-xml") == [
        ("rn-badge-passed", "Verified on libvirt 9.0.0 / QEMU 7.2.19 (KVM), 2026-11-20"),
        ("rn-badge-failed", "Fails on libvirt 11.3.0 / QEMU 10.0.2 (TCG), 2026-11-20"),
    ]
    verified = page(app, "issue.html").select_one('div.rn-snippet[id="snippet-comp-verified-xml"]')
    # One line of status: the sentence with the reason said once, then the day.
    line = verified.select_one("p.rn-status-line")
    assert line.get_text(" ", strip=True) == (
        "✓ Works on libvirt 9.0; fails on libvirt 11.3: QEMU no longer accepts -cpu ?. · Nov 20, 2026")
    assert line.select_one("time")["datetime"] == "2026-11-20"
    # Everything else behind one disclosure, after the line: a link to the snippet's part of
    # the issue's evidence page, where the reason is not repeated.
    [details] = verified.select("details")
    assert "rn-snippet-details" in details["class"]
    assert details.find_previous_sibling("p", class_="rn-status-line") is line
    assert verified.get_text().count("QEMU no longer accepts -cpu ?") == 1
    [link] = details.select("a.rn-evidence-link")
    assert link["href"] == "issue/evidence.html#snippet-comp-verified-xml"
    assert link.get_text() == "The evidence for verified.xml, on its own page"
    part = evidence(app, "issue", "comp-verified-xml")
    assert part is not None and "QEMU no longer accepts -cpu ?" not in part.get_text()
    # A line per version: its badge (outcome, exact versions, day), then what else its run
    # recorded; nothing is said twice.
    runs = [li.get_text(" ", strip=True) for li in part.select("ul.rn-snippet-runs li")]
    assert runs == [
        "Verified on libvirt 9.0.0 / QEMU 7.2.19 (KVM), 2026-11-20 : image sha256:aaaa, "
        "12:00 UTC, 1.5 s; layers: effect: passed",
        "Fails on libvirt 11.3.0 / QEMU 10.0.2 (TCG), 2026-11-20 : image sha256:bbbb, "
        "12:00 UTC, 1.5 s; layers: effect: failed",
    ]
    # Shown twice on one page: the second occurrence gets its own anchor.
    ids = [div["id"] for div in page(app, "issue.html").select("div.rn-snippet")]
    assert ids.count("snippet-comp-verified-xml") == 1
    assert "snippet-comp-verified-xml-2" in ids
    assert badges(app, "comp-script-sh") == [
        ("rn-badge-stale", "Stale on libvirt 9.0 / QEMU 7.2: changed since it was verified"),
        ("rn-badge-missing", "Not verified on libvirt 11.3 / QEMU 10.0"),
    ]


@pytest.mark.sphinx("html", testroot="snippets", freshenv=True)
def test_bad_snippet_paths_are_reported_at_the_directive(app: Sphinx) -> None:
    app.build()
    warning_at(app, "issue.md", 15, "snippet path 'comp/absent.xml' is not a file in snippets/")
    warning_at(app, "issue.md", 18, "snippet path '../conf.py' leaves snippets/ (with '..')")
    warning_at(app, "comp/orphan.xml", 1, "snippet 'comp/orphan.xml' is not included by any page")
    assert len(warnings_of(app)) == 3  # the spec (.toml) beside a snippet is not an artifact, and is valid


@pytest.mark.sphinx("html", testroot="snippets", srcdir="gate-names", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_publish_gate_names_each_unpublishable_snippet(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    assert app.statuscode == 1
    assert re.search(r"4 shown snippet result\(s\) not publishable", errors_of(app))
    gate = [w for w in warnings_of(app) if "[relnotes.unverified]" in w]
    assert sorted(w.split("WARNING: ")[1] for w in gate) == sorted([
        "snippet 'comp/script.sh' is not publishable: Stale on bookworm: changed since it was "
        "verified: the snippet changed since it was verified on 2026-11-20 [relnotes.unverified]",
        "snippet 'comp/script.sh' is not publishable: Not verified on trixie [relnotes.unverified]",
        # once per place the page shows it
        *["snippet 'comp/verified.xml' is not publishable: Fails on libvirt 11.3.0 / QEMU 10.0.2 "
          "(TCG), 2026-11-20: QEMU no longer accepts -cpu ? [relnotes.unverified]"] * 2,
    ])
    assert all("issue.md:" in w for w in gate)


@pytest.mark.sphinx("html", testroot="snippets", srcdir="gate-accepts", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_publish_gate_accepts_declared_outcomes(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    ledger = Ledger()
    for key in ("comp/verified.xml", "comp/script.sh"):
        data = (srcdir / "snippets" / key).read_bytes()
        ledger.add(record(key, data, BOOKWORM, Status.PASSED))
        ledger.add(record(key, data, TRIXIE, Status.EXPECTED_FAILURE, "needs RHEL 5's qemu-kvm"))
    write_ledger(ledger, srcdir / "ledger.json")
    app.build()
    assert [w for w in warnings_of(app) if "[relnotes.unverified]" in w] == []


@pytest.mark.sphinx("html", testroot="snippets", srcdir="bad-ledger", freshenv=True)
def test_malformed_ledger_is_a_located_warning(app: Sphinx) -> None:
    (Path(app.srcdir) / "ledger.json").write_text("{not json")
    app.build()
    warning = warning_at(app, "ledger.json", 1, "cannot read the verification ledger")
    assert "ledger.json:1:2: not JSON" in warning
    import json

    [issue] = json.loads((Path(app.outdir) / "issues.json").read_text())["issues"]
    assert issue["snippets"][0]["status"] is None
    assert "not JSON" in issue["snippets"][0]["error"]


@pytest.mark.sphinx("html", testroot="snippets", srcdir="snippet-table", freshenv=True)
def test_snippets_page_lists_every_use_with_status_per_target(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    table_node = page(app, "all.html").select_one("table.rn-snippet-table")
    assert [th.get_text() for th in table_node.select("thead th")] == [
        "Snippet", "libvirt 9.0 / QEMU 7.2", "libvirt 11.3 / QEMU 10.0"]
    rows = table_node.select("tbody tr")
    table = [[row.select_one("th .rn-compat-issue-id").get_text(),
              row.select_one("th code").get_text(),
              row.select_one("th p.rn-compat-sentence").get_text(),
              *(cell.get_text(" ", strip=True) for cell in row.select("td"))] for row in rows]
    assert table == [
        ["snip", "comp/script.sh",
         "Stale on libvirt 9.0: changed since it was verified; not verified on libvirt 11.3.",
         "↻ stale", "? not verified"],
        ["snip", "comp/verified.xml",
         "Works on libvirt 9.0; fails on libvirt 11.3: QEMU no longer accepts -cpu ?.",
         "✓ verified", "✗ fails"],
    ]  # shown twice on its page, listed once; the reason in the row's sentence
    # Each cell names its version, for narrow screens where the rows are stacked.
    assert [td["data-label"] for td in rows[1].select("td")] == [
        "libvirt 9.0 / QEMU 7.2", "libvirt 11.3 / QEMU 10.0"]
    assert rows[0].select_one("a")["href"] == "issue.html#snippet-comp-script-sh"


@pytest.mark.sphinx("html", testroot="snippets", srcdir="new-ledger", freshenv=True)
def test_a_new_ledger_rewrites_only_pages_whose_statuses_changed(
    app: Sphinx, make_app: Any
) -> None:
    app.build()
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    # No ledger and no change: nothing is read again (a missing ledger is not a dependency).
    assert "0 added, 0 changed, 0 removed" in again._status.getvalue()
    assert written(again) == set()
    write_test_ledger(Path(app.srcdir))
    third = make_app("html", srcdir=app.srcdir, freshenv=False)
    third.build()
    assert "0 added, 0 changed, 0 removed" in third._status.getvalue()  # nothing re-read
    # The pages showing those snippets, and (Sphinx's rule) the toctree parent of a
    # rewritten page; not every page.
    assert written(third) == {"issue", "all", "index"}
    assert badges(third, "comp-verified-xml")[0][0] == "rn-badge-passed"


@pytest.mark.sphinx("html", testroot="snippets", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_publish_gate_holds_on_a_rebuild_that_writes_nothing(app: Sphinx, make_app: Any) -> None:
    app.build()
    assert app.statuscode == 1
    assert any("[relnotes.unverified]" in w for w in warnings_of(app))
    again = make_app("html", srcdir=app.srcdir, freshenv=False,
                     confoverrides={"relnotes_require_verified": True})
    # The gate judges every snippet the environment knows, not only the pages written, so an
    # incremental build that writes nothing is refused just the same.
    again.build()
    assert again.statuscode == 1
    assert any("[relnotes.unverified]" in w for w in warnings_of(again))


@pytest.mark.sphinx("html", testroot="snippets", srcdir="gate-bad-ledger", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_publish_gate_refuses_an_unreadable_ledger(app: Sphinx) -> None:
    (Path(app.srcdir) / "ledger.json").write_text('{"format": 99}')
    app.build()
    assert app.statuscode == 1
    assert re.search("ledger cannot be read", errors_of(app))
    warning = warning_at(app, "ledger.json", 1, "[relnotes.unverified]")
    assert "unsupported ledger format 99" in warning


@pytest.mark.sphinx("html", testroot="snippets", srcdir="gate-no-filter", freshenv=True,
                    confoverrides={"relnotes_require_verified": True,
                                   "suppress_warnings": ["relnotes.unverified", "relnotes"]})
def test_no_warning_filter_turns_the_publish_gate_off(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    assert app.statuscode == 1
    assert re.search(r"comp/script\.sh: Not verified on trixie", errors_of(app))
    assert not any("[relnotes.unverified]" in w for w in warnings_of(app))  # filtered, still refused


@pytest.mark.sphinx("html", testroot="snippets", srcdir="badge-words", freshenv=True)
def test_badges_show_summary_adaptation_and_the_statuses_that_are_not_verified(
        app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    data = (srcdir / "snippets/comp/verified.xml").read_bytes()
    ledger = Ledger()
    for environment, status in ((BOOKWORM, Status.INDISTINCT), (TRIXIE, Status.UNCONTROLLED)):
        ledger.add(replace(record("comp/verified.xml", data, environment, status, "why"),
                           summary="The e1000 model line.",
                           adaptation="Applied to a guest without a network."))
    write_ledger(ledger, srcdir / "ledger.json")
    app.build()
    assert badges(app, "comp-verified-xml") == [
        ("rn-badge-indistinct", "Ran on libvirt 9.0.0 / QEMU 7.2.19 (KVM), 2026-11-20; effect "
         "not distinguishable from an unchanged guest"),
        ("rn-badge-uncontrolled", "Effect observed on libvirt 11.3.0 / QEMU 10.0.2 (TCG), "
         "2026-11-20, no control"),
    ]
    block = evidence(app, "issue", "comp-verified-xml")
    assert block is not None
    assert block.select_one("p.rn-snippet-summary").get_text() == (
        "What the check shows: The e1000 model line.")
    assert block.select_one("p.rn-snippet-adaptation").get_text() == (
        "Adapted for the check: Applied to a guest without a network.")


@pytest.mark.sphinx("html", testroot="snippets", srcdir="stale-spec", freshenv=True)
def test_a_changed_spec_makes_the_badge_stale(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    spec = Path(app.srcdir) / "snippets/comp/verified.xml.check.toml"
    spec.write_text(spec.read_text().replace("The e1000 model line.", "Another summary."))
    app.build()
    assert badges(app, "comp-verified-xml")[0][0] == "rn-badge-stale"
    # Why it is stale is said in the evidence (the line only says "stale").
    part = evidence(app, "issue", "comp-verified-xml")
    assert part is not None
    reason = part.select_one("p.rn-snippet-reason").get_text()
    assert reason.startswith("libvirt 9.0 / QEMU 7.2: ")
    assert "spec comp/verified.xml.check.toml changed" in reason


@pytest.mark.sphinx("html", testroot="snippets", srcdir="broken-spec", freshenv=True)
def test_a_spec_that_does_not_load_is_located_and_its_badges_are_stale(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    spec = Path(app.srcdir) / "snippets/comp/verified.xml.check.toml"
    spec.write_text(spec.read_text().replace('contains = "e1000"', "contains = []"))
    app.build()
    warning_at(app, "verified.xml.check.toml", 10, "effects[0].contains: is an empty list")
    assert badges(app, "comp-verified-xml")[0][0] == "rn-badge-stale"


def test_a_procedures_layers_are_shown_once_and_long_details_are_shortened(tmp_path: Path) -> None:
    from dataclasses import fields
    from types import SimpleNamespace

    from relnotes.core.ledger import Ledger, Record
    from relnotes.sphinxext.config import PREFIX, RelnotesConfig
    from relnotes.sphinxext.verification import DETAIL_LIMIT, snippet_view

    defaults = RelnotesConfig()
    config = SimpleNamespace(**{PREFIX + f.name: getattr(defaults, f.name) for f in fields(defaults)})
    config.relnotes_targets = ("bookworm",)
    long = "x" * (DETAIL_LIMIT * 3)
    ledger = Ledger()
    for key in ("comp/driver.virsh", "comp/member.xml"):
        ledger.add(Record(key, "s", "i", Status.PASSED, None,
                          {"run": Layer(LayerStatus.PASSED, long)}, BOOKWORM,
                          datetime(2026, 11, 20, tzinfo=UTC), 1.0, "", "comp/driver.virsh"))
    (tmp_path / "f").write_text("x")
    driver = snippet_view(config, ledger, "comp/driver.virsh", tmp_path / "f")  # type: ignore[arg-type]
    member = snippet_view(config, ledger, "comp/member.xml", tmp_path / "f")  # type: ignore[arg-type]
    [(target, shown)] = driver.details
    assert target == "bookworm"
    assert "layers: run: passed (" in shown and long not in shown and "x" * (DETAIL_LIMIT - 1) + "…" in shown
    [(_target, pointer)] = member.details
    assert "checked as part of comp/driver.virsh: its layers are shown there" in pointer
    assert "layers:" not in pointer


@pytest.mark.sphinx("html", testroot="snippets", srcdir="gate-conflicting", freshenv=True,
                    confoverrides={"relnotes_require_verified": True})
def test_records_of_two_machines_that_disagree_are_conflicting_and_refused_naming_both(
        app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    ledger = Ledger()
    for key in ("comp/verified.xml", "comp/script.sh"):
        data = (srcdir / "snippets" / key).read_bytes()
        ledger.add(record(key, data, TRIXIE, Status.EXPECTED_FAILURE, "needs RHEL 5's qemu-kvm"))
        ledger.add(replace(record(key, data, BOOKWORM, Status.PASSED), machine="laptop",
                           run_id="r1"))
    data = (srcdir / "snippets/comp/verified.xml").read_bytes()
    ledger.add(replace(record("comp/verified.xml", data, BOOKWORM, Status.FAILED, "boom"),
                       machine="runner", run_id="r2"))
    write_ledger(ledger, srcdir / "ledger.json")
    app.build()
    assert app.statuscode == 1
    # (the badges are in the evidence, on the issue's evidence page)
    badges = [b.get_text() for b in page(app, "issue/evidence.html").select(".rn-badge-conflicting")]
    # On the page, the target is named as readers name it; the gate's message (for the
    # writer) keeps the target's name.
    assert badges and set(badges) == {"Conflicting results on libvirt 9.0 / QEMU 7.2"}
    gate = [w for w in warnings_of(app) if "[relnotes.unverified]" in w]
    assert gate and all("comp/verified.xml" in w for w in gate)
    assert "Conflicting results on bookworm: runs of the same inputs disagree: " in gate[0]
    assert "passed on machine laptop" in gate[0] and "failed on machine runner" in gate[0]


@pytest.mark.sphinx("epub", testroot="snippets", srcdir="evidence-inline", freshenv=True)
def test_a_builder_of_one_file_keeps_the_evidence_in_its_disclosure(app: Sphinx) -> None:
    # An e-book has no other page to fetch: its HTML builder keeps the evidence in place.
    write_test_ledger(Path(app.srcdir))
    app.build()
    block = page(app, "issue.xhtml").select_one('div.rn-snippet[id="snippet-comp-verified-xml"]')
    assert block is not None
    [details] = block.select("details.rn-snippet-details")
    assert len(details.select("ul.rn-snippet-runs li")) == 2
    assert details.select("a.rn-evidence-link") == []
    assert not (Path(app.outdir) / "issue").exists()


@pytest.mark.sphinx("html", testroot="snippets", srcdir="evidence-again", freshenv=True)
def test_a_page_resolved_again_holds_only_what_it_shows_now(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    assert evidence(app, "issue", "comp-verified-xml") is not None
    # The page no longer shows that snippet; the same application builds again.
    issue = Path(app.srcdir) / "issue.md"
    issue.write_text(issue.read_text().replace("comp/verified.xml", "comp/script.sh"))
    app.build()
    assert evidence(app, "issue", "comp-verified-xml") is None
    assert evidence(app, "issue", "comp-script-sh") is not None


@pytest.mark.sphinx("html", testroot="snippets", srcdir="evidence-search", freshenv=True)
def test_a_search_for_a_word_of_the_evidence_finds_the_issue_page(app: Sphinx) -> None:
    write_test_ledger(Path(app.srcdir))
    app.build()
    # "sha256:aaaa" (the image of a run) is said only in the evidence, on the evidence page.
    assert "aaaa" not in page(app, "issue.html").get_text()
    text = (Path(app.outdir) / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("Search.setIndex(").removesuffix(")"))
    found = index["terms"]["aaaa"]
    docs = [index["docnames"][number] for number in (found if isinstance(found, list) else [found])]
    assert docs == ["issue"]


@pytest.mark.sphinx("html", testroot="snippets", srcdir="evidence-unrecorded", freshenv=True)
def test_a_snippet_without_any_run_keeps_its_badges_in_its_disclosure(app: Sphinx) -> None:
    # No ledger: nothing ran, so there is no evidence page to go to.
    app.build()
    block = page(app, "issue.html").select_one('div.rn-snippet[id="snippet-comp-verified-xml"]')
    assert block is not None
    [details] = block.select("details.rn-snippet-details")
    assert [badge["class"][-1] for badge in details.select("span.rn-badge")] == [
        "rn-summary-not-verified"] * 2
    assert details.select("a.rn-evidence-link") == []
    assert not (Path(app.outdir) / "issue" / "evidence.html").exists()
