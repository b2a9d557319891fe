"""Importing from Jira: saved search responses, and a local server answering like Jira."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.importing import run, site, tree

DATA = Path(__file__).parent / "data" / "jira"
TOKEN = "jira-token-93ab"
STATUS_FIELD = "customfield_12310213"


def jira_site(tmp_path: Path, extra: str = "") -> Path:
    root = site(tmp_path)
    (root / "relnotes.toml").write_text(f'{extra}[jira]\nstatus_field = "{STATUS_FIELD}"\n')
    return root


def pages(root: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in (root / "source" / "issues").glob("*.md")}


def field(page: str, name: str) -> str:
    return next(line for line in page.splitlines() if line.startswith(f":{name}:"))


def test_each_ticket_with_a_note_becomes_a_page_of_its_release_note_type(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    status, out, err = run("jira", str(DATA / "search.json"), "--into", str(root))
    assert status == 0, err
    found = pages(root)
    kinds = sorted(field(page, "kind") for page in found.values())
    assert kinds == [":kind: bug-fix", ":kind: cve", ":kind: deprecated-functionality",
                     ":kind: enhancement", ":kind: known-issue", ":kind: known-issue",
                     ":kind: rebase", ":kind: technology-preview"]
    vtpm = found["libvirt-virsh-migrate-fails-guest-vtpm"]
    assert vtpm.startswith("# virsh migrate fails when the guest has a vTPM\n")
    assert ":jira: RHEL-1001\n:component: libvirt\n:releases: RHEL 9.4\n" in vtpm
    # {{monospace}} marks dropped: the reader's words stay.
    assert "fails with unsupported configuration." in vtpm
    fixed = found["libvirt-memory-leak-libvirtd-fixed"]
    assert field(fixed, "fixed-in") == ":fixed-in: RHEL 9.4"  # a bug fix is fixed in its fix version
    assert ":fixed-in:" not in vtpm  # a known issue is not
    assert "See the virsh manual (https://libvirt.org/manpages/virsh.html) for details." in \
        found["libvirt-new-virsh-command-lists-guest"]
    assert "RHEL-1001 -> libvirt-virsh-migrate-fails-guest-vtpm [RHEL-1001]" in out
    assert ("skipped: RHEL-1008: Release Note Type 'Release Note Not Required' says no note is "
            "needed") in out
    # The fault is listed with the ticket and the field; the other tickets are imported.
    assert ("fault (not imported; fix the ticket, or --strict to stop on it): RHEL-1009: "
            "customfield_12320850: a number, not an option") in out
    # The report of what needs editing: the Release Note Status that is not done.
    assert "needs editing: RHEL-1001: Release Note Status is 'In Progress', not done" in out


def test_code_and_noformat_blocks_become_snippets_byte_for_byte(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    assert run("jira", str(DATA / "search.json"), "--into", str(root))[0] == 0
    folder = root / "snippets/libvirt/libvirt-virtio-mem-available-technology-preview"
    text = json.loads((DATA / "search.json").read_text())["issues"][4]["fields"][
        "customfield_12317313"]
    xml = text.split("{code:xml}\n", 1)[1].split("{code}", 1)[0]
    assert (folder / "memory-virtio-mem-gib.xml").read_text() == xml  # tab, trailing blanks
    assert "\t<size unit='GiB'>4</size>  \n" in xml
    assert (folder / "virsh-edit.virsh").read_text() == "virsh edit GUEST\n"
    assert (folder / "error-output.console").read_text() == "ERROR: virtio-mem: no driver\n"
    page = pages(root)["libvirt-virtio-mem-available-technology-preview"]
    # The blocks stay under the numbered steps they follow, numbered on across them.
    assert ("1. Edit the guest's definition:\n\n   ```{rn:snippet} "
            "libvirt/libvirt-virtio-mem-available-technology-preview/virsh-edit.virsh\n") in page
    assert "2. Add the device in the devices section:\n" in page
    assert "3. Start the guest.\n" in page
    stub = (folder / "memory-virtio-mem-gib.xml.check.toml").read_text()
    # Line 8 of the ticket's text is where the block's content starts.
    assert 'summary = "XML fragment imported from RHEL-1005 (line 8)"' in stub
    assert 'pending = "no check written yet"' in stub


def test_untrusted_text_is_written_as_text(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    assert run("jira", str(DATA / "search.json"), "--into", str(root))[0] == 0
    page = pages(root)["libvirt-guest-script-alert-1-script"]
    assert "# Guest \\<script\\>alert(1)\\</script\\> names \\{rn:snippet\\} are" in page
    assert "\\`\\`\\`\\{eval-rst\\}\\`\\`\\` stays text. Emphasis is dropped." in page


def test_a_reimport_changes_nothing_and_keeps_an_edited_page(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    assert run("jira", str(DATA / "search.json"), "--into", str(root))[0] == 0
    before = tree(root)
    status, out, _ = run("jira", str(DATA / "search.json"), "--into", str(root))
    assert status == 0 and tree(root) == before
    assert "0 created, 0 updated, 16 unchanged" in out
    edited = root / "source/issues/libvirt-rebased-version-10-0.md"
    edited.write_text(edited.read_text() + "\nA writer's sentence.\n")
    status, out, _ = run("jira", str(DATA / "search.json"), "--into", str(root), "--update")
    assert status == 0 and edited.read_text().endswith("A writer's sentence.\n")
    assert "not written: source/issues/libvirt-rebased-version-10-0.md: edited since" in out


def test_strict_makes_a_fault_fatal_and_nothing_is_written(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    before = tree(root)
    status, out, err = run("jira", str(DATA / "faults.json"), "--into", str(root), "--strict")
    assert status == 1 and tree(root) == before and out == ""
    assert "3 ticket(s) cannot be imported (--strict)" in err
    assert "RHEL-2001: customfield_12320850: unknown Release Note Type 'Feature Request'" in err
    assert "RHEL-2002: components: the ticket has no component; give one with --component" in err
    assert ("RHEL-2003: customfield_12317313: line 2 of the Release Note Text: {code} block "
            "opened at line 2 is never closed") in err
    assert "nothing written" in err
    # Without --strict, the good ticket is imported and the faults listed.
    status, out, _ = run("jira", str(DATA / "faults.json"), "--into", str(root))
    assert status == 0 and list(pages(root)) == ["libvirt-fine-one"]
    assert out.count("fault (not imported") == 3


def test_kind_map_maps_another_release_note_type(tmp_path: Path) -> None:
    root = jira_site(tmp_path)
    status, _out, err = run("jira", str(DATA / "faults.json"), "--into", str(root),
                           "--kind-map", "Feature Request=feature")
    assert status == 0, err
    assert field(pages(root)["libvirt-ticket-unknown-type"], "kind") == ":kind: feature"


@pytest.mark.parametrize(("fixture", "message"), [
    ("not-json.json", "not-json.json:3: not JSON"),
    ("error.json", "Jira answered with an error: The value 'NOPE' does not exist"),
    ("no-text-field.json", "no ticket has the field 'customfield_12317313' (Release Note Text): "
                           "set its id in relnotes.toml's [jira]"),
    ("duplicate.json", "RHEL-1002 appears twice (issues[0] and issues[1])"),
])
def test_bad_responses_are_located_errors_and_nothing_is_written(
        tmp_path: Path, fixture: str, message: str) -> None:
    root = jira_site(tmp_path)
    before = tree(root)
    status, _, err = run("jira", str(DATA / fixture), "--into", str(root))
    assert status == 1 and message in err and "nothing written" in err
    assert tree(root) == before


def test_a_field_id_from_relnotes_toml_is_read_and_a_bad_one_refused(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "relnotes.toml").write_text('[jira]\ntext_field = "customfield_99"\n')
    status, _, err = run("jira", str(DATA / "search.json"), "--into", str(root))
    assert status == 1 and "no ticket has the field 'customfield_99' (Release Note Text)" in err
    (root / "relnotes.toml").write_text('[jira]\ntext_field = "not a field"\n')
    status, _, err = run("jira", str(DATA / "search.json"), "--into", str(root))
    assert status == 1 and "relnotes.toml:2" in err and "is not a Jira field id" in err


def test_a_release_the_site_does_not_have_is_a_fault_naming_the_ticket(tmp_path: Path) -> None:
    root = jira_site(tmp_path, 'releases = ["RHEL 9.3"]\n')
    status, _, err = run("jira", str(DATA / "search.json"), "--into", str(root), "--strict")
    assert status == 1
    assert ("RHEL-1001: fixVersions: release 'RHEL 9.4' is not one of the site's releases "
            "(RHEL 9.3)") in err
    status, _out, err = run("jira", str(DATA / "search.json"), "--into", str(root),
                           "--release", "RHEL 9.3")
    assert status == 0, err
    assert all(":releases: RHEL 9.3\n" in page for page in pages(root).values())


# -- a local server answering like Jira --------------------------------------------------------


class FakeJira(BaseHTTPRequestHandler):
    issues: list[dict[str, Any]] = []  # noqa: RUF012 - set per test through the fixture
    page_limit = 3  # like a server capping maxResults below what was asked
    requests: list[tuple[str, dict[str, str], str | None]] = []  # noqa: RUF012
    mode = "ok"

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        type(self).requests.append((parts.path, query, self.headers.get("Authorization")))
        if self.mode == "error":
            self.answer(400, {"errorMessages": ["Error in the JQL Query"], "errors": {}})
            return
        start = int(query.get("startAt", 0))
        limit = min(int(query.get("maxResults", 50)), self.page_limit)
        self.answer(200, {"startAt": start, "maxResults": limit, "total": len(self.issues),
                          "issues": self.issues[start:start + limit]})

    def answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def jira() -> Iterator[str]:
    FakeJira.issues = json.loads((DATA / "search.json").read_text())["issues"]
    FakeJira.requests = []
    FakeJira.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeJira)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_url_form_pages_through_every_ticket_with_the_token_in_a_header(
        tmp_path: Path, jira: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    root = jira_site(tmp_path)
    status, out, err = run("jira", f"{jira}/rest/api/2/search?jql=project%3DRHEL",
                           "--into", str(root))
    assert status == 0, err
    assert len(pages(root)) == 8
    starts = [query["startAt"] for _, query, _ in FakeJira.requests]
    assert starts == ["0", "3", "6", "9"]  # 3 a page, up to the total of 10
    assert all(query["jql"] == "project=RHEL" and "customfield_12317313" in query["fields"]
               for _, query, _ in FakeJira.requests)
    assert {header for _, _, header in FakeJira.requests} == {f"Bearer {TOKEN}"}
    assert all(TOKEN.encode() not in data for data in tree(root).values())
    assert TOKEN not in out + err


def test_a_refused_search_names_the_url_and_jiras_message(tmp_path: Path, jira: str) -> None:
    FakeJira.mode = "error"
    root = jira_site(tmp_path)
    status, _, err = run("jira", f"{jira}/rest/api/2/search?jql=bad", "--into", str(root))
    assert status == 1
    assert "HTTP 400 Bad Request: Error in the JQL Query" in err and "nothing written" in err


def test_the_token_is_not_sent_over_plain_http_to_another_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    root = jira_site(tmp_path)
    status, _, err = run("jira", "http://jira.example.com/rest/api/2/search?jql=x",
                         "--into", str(root))
    assert status == 1 and "refusing to send JIRA_TOKEN over plain http" in err
    assert TOKEN not in err
