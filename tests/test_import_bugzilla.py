"""Importing from Bugzilla: saved REST responses, and a local server answering like Bugzilla."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.importing import run, site, tree

DATA = Path(__file__).parent / "data" / "bugzilla"
API_KEY = "test-key-5f1c"


def test_each_bug_with_doc_text_becomes_a_page_of_its_kind(tmp_path: Path) -> None:
    root = site(tmp_path)
    status, out, err = run("bugzilla", str(DATA / "libvirt-bugs.json"), "--into", str(root))
    assert status == 0, err
    pages = {p.stem: p.read_text() for p in (root / "source" / "issues").glob("*.md")}
    kinds = sorted(next(line for line in page.splitlines() if line.startswith(":kind:"))
                   for page in pages.values())
    assert kinds == [":kind: bug-fix", ":kind: deprecated-functionality", ":kind: enhancement",
                     ":kind: enhancement", ":kind: known-issue", ":kind: technology-preview"]
    vtpm = pages["libvirt-virsh-migrate-fails-guest-vtpm"]
    assert vtpm.startswith("# virsh migrate fails when the guest has a vTPM\n")
    assert ":bz: 1000001\n:component: libvirt\n:releases: 9.0\n" in vtpm
    # Paragraphs of the Doc Text kept; the indented command became a snippet.
    assert "Cause\\: the TPM state is not copied. Consequence\\: migration fails." not in vtpm
    assert "Cause: the TPM state is not copied. Consequence: migration fails." in vtpm
    snippet = root / "snippets/libvirt/libvirt-virsh-migrate-fails-guest-vtpm/virsh-detach-device.virsh"
    assert snippet.read_text() == "virsh detach-device GUEST tpm.xml --config\n"
    enhancement = pages["libvirt-new-virsh-command-list-guest"]
    assert "- works with the agent\n- works with leases\n" in enhancement
    assert "skipped: BZ#1000007: doc type 'If docs needed, set a value' says no note is needed" in out
    assert "skipped: BZ#1000008: no Doc Text (cf_release_notes is empty)" in out
    assert "BZ#1000001 -> libvirt-virsh-migrate-fails-guest-vtpm [BZ#1000001]" in out


def test_component_and_release_options_override_the_bug(tmp_path: Path) -> None:
    root = site(tmp_path)
    status, _, _ = run("bugzilla", str(DATA / "libvirt-bugs.json"), "--component", "virt",
                       "--release", "RHEL 9.4", "--into", str(root))
    assert status == 0
    page = (root / "source" / "issues" / "virt-memory-leak-libvirtd-fixed.md").read_text()
    assert ":component: virt\n:releases: RHEL 9.4\n" in page
    assert (root / "source" / "components" / "virt.md").is_file()


def test_kind_map_maps_another_doc_type(tmp_path: Path) -> None:
    root = site(tmp_path)
    status, _, err = run("bugzilla", str(DATA / "unknown-doc-type.json"), "--kind-map",
                         "Rebase: Bug Fixes and Enhancements=enhancement", "--into", str(root))
    assert status == 0, err
    assert ":kind: enhancement" in (root / "source/issues/libvirt-b.md").read_text()


BAD = [
    ("not-json.json", "not JSON: Expecting property name enclosed in double quotes", 3),
    ("no-bugs.json", "no 'bugs' array: not a response of GET /rest/bug", None),
    ("faults.json", "Bugzilla reported 1 fault(s): 3000002: Bug #3000002 does not exist.", None),
    ("error.json", "Bugzilla answered with an error 300: The username or password you "
                   "entered is not valid.", None),
    ("duplicate.json", "BZ#4000001 appears twice (bugs[0] and bugs[1])", None),
    ("unknown-doc-type.json", "BZ#5000002: unknown doc type 'Rebase: Bug Fixes and "
                              "Enhancements'", None),
]


@pytest.mark.parametrize(("name", "message", "line"), BAD, ids=[b[0] for b in BAD])
def test_bad_saved_responses_are_errors_naming_the_file_and_nothing_is_written(
        tmp_path: Path, name: str, message: str, line: int | None) -> None:
    root = site(tmp_path)
    before = tree(root)
    source = DATA / name
    status, out, err = run("bugzilla", str(source), "--into", str(root))
    assert status == 1
    assert (f"{source}:{line}: " if line else f"{source}: ") in err
    assert message in err, err
    assert tree(root) == before and out == ""


def test_a_response_whose_bugs_all_need_no_note_imports_nothing(tmp_path: Path) -> None:
    source = tmp_path / "none.json"
    source.write_text(json.dumps({"bugs": [{"id": 7, "summary": "x", "component": "c",
                                            "cf_doc_type": "No Doc Update"}]}))
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    status, _, err = run("bugzilla", str(source), "--into", str(root))
    assert status == 1
    assert f"{source}: nothing to import (1 skipped)" in err
    assert "skipped: BZ#7: doc type 'No Doc Update' says no note is needed" in err


# -- a local server answering like Bugzilla ----------------------------------------------------


class FakeBugzilla(BaseHTTPRequestHandler):
    bugs: list[dict[str, Any]] = []  # noqa: RUF012 - set per test through the fixture
    page_limit = 2  # like a server capping limit below what was asked
    requests: list[tuple[str, dict[str, str], str | None]] = []  # noqa: RUF012
    mode = "ok"

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        type(self).requests.append((parts.path, query, self.headers.get("X-BUGZILLA-API-KEY")))
        if self.mode == "error":
            self.answer(400, {"error": True, "code": 32000, "message": "Invalid query"})
            return
        if self.mode == "slow":
            time.sleep(2)
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", 10)),
                                                         self.page_limit)
        self.answer(200, {"bugs": self.bugs[offset:offset + limit]})

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
def bugzilla() -> Iterator[str]:
    FakeBugzilla.bugs = json.loads((DATA / "libvirt-bugs.json").read_text())["bugs"]
    FakeBugzilla.requests = []
    FakeBugzilla.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeBugzilla)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_url_form_pages_through_every_bug_with_the_api_key_in_a_header(
        tmp_path: Path, bugzilla: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUGZILLA_API_KEY", API_KEY)
    root = site(tmp_path)
    status, out, err = run("bugzilla", f"{bugzilla}/rest/bug?product=RHEL&limit=3",
                           "--into", str(root))
    assert status == 0, err
    assert len(list((root / "source" / "issues").glob("*.md"))) == 6
    offsets = [query["offset"] for _, query, _ in FakeBugzilla.requests]
    assert offsets == ["0", "2", "4", "6", "8"]  # the server gave 2 a page; the last was empty
    assert all(query["product"] == "RHEL" and "cf_release_notes" in query["include_fields"]
               for _, query, _ in FakeBugzilla.requests)
    assert {key for _, _, key in FakeBugzilla.requests} == {API_KEY}
    assert all(API_KEY.encode() not in data for data in tree(root).values())
    assert API_KEY not in out + err


def test_an_http_error_names_the_url_and_the_servers_message(tmp_path: Path,
                                                              bugzilla: str) -> None:
    FakeBugzilla.mode = "error"
    root = site(tmp_path)
    status, _, err = run("bugzilla", f"{bugzilla}/rest/bug?product=RHEL", "--into", str(root))
    assert status == 1
    assert f"{bugzilla}/rest/bug?product=RHEL: HTTP 400 Bad Request: Invalid query" in err
    assert tree(root) == {"conf.py": b"extensions = []\n"}


def test_a_server_that_does_not_answer_in_time_is_an_error(tmp_path: Path, bugzilla: str) -> None:
    FakeBugzilla.mode = "slow"
    root = site(tmp_path)
    status, _, err = run("bugzilla", f"{bugzilla}/rest/bug", "--timeout", "0.3",
                         "--into", str(root))
    assert status == 1
    assert "no answer within 0.3 s" in err
    assert tree(root) == {"conf.py": b"extensions = []\n"}


def test_the_api_key_is_not_sent_over_plain_http_to_another_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUGZILLA_API_KEY", API_KEY)
    status, _, err = run("bugzilla", "http://bugzilla.example/rest/bug", "--into",
                         str(site(tmp_path)))
    assert status == 1
    assert "refusing to send BUGZILLA_API_KEY over plain http" in err


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b'{"bugs": [{"id": 1, "summary": "caf\xe9"}]}', "bugs.json:1: not UTF-8 text (byte 0xe9 at offset 35)"),
    (b'[{"id": 1}]', "a Bugzilla response is a JSON object, not an array"),
    (b'{"bugs": [{"id": "12"}]}', "bugs[0]: 'id' is '12', not a bug number"),
], ids=["empty", "latin-1", "array", "string-id"])
def test_more_bad_responses_name_the_file(tmp_path: Path, data: bytes, message: str) -> None:
    source = tmp_path / "bugs.json"
    source.write_bytes(data)
    (tmp_path / "site").mkdir()
    root = site(tmp_path / "site")
    status, _, err = run("bugzilla", str(source), "--into", str(root))
    assert status == 1
    assert f"{source}" in err and message in err, err
    assert tree(root) == {"conf.py": b"extensions = []\n"}


def test_the_import_subcommand_mounts_on_a_relnotes_parser(tmp_path: Path) -> None:
    import argparse

    from relnotes.importing import add_import_parser, run_import

    parser = argparse.ArgumentParser(prog="relnotes")
    commands = parser.add_subparsers(dest="command", required=True)
    add_import_parser(commands)
    args = parser.parse_args(["import", "bugzilla", str(DATA / "libvirt-bugs.json"),
                              "--into", str(site(tmp_path))])
    out, err = io.StringIO(), io.StringIO()
    assert run_import(args, out, err) == 0, err.getvalue()
    assert "6 issues, 6 BZ numbers" in out.getvalue()
