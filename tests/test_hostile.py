"""Hostile and broken input, as an attacker or a careless writer would give it.

Each test feeds one input and asserts the exact error or outcome, and that nothing leaked (no
host file's bytes in a message, ledger or page), nothing was half-written and nothing was left
behind. None of these needs a daemon: a refused input is refused before any check runs.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from relnotes.cli import main as relnotes_main
from relnotes.core.environment import Environment
from relnotes.core.filemode import current_umask
from relnotes.core.ledger import (
    Layer,
    LayerStatus,
    Ledger,
    LedgerError,
    Record,
    Status,
    load_ledger,
    write_ledger,
)
from relnotes.core.paths import PathError, confine
from relnotes.core.spec import SpecError, load_specs, spec_problems
from relnotes.engine.junit import write_junit
from relnotes.engine.xmledit import parse, serialize
from sphinx.testing.util import SphinxTestApp

from tests.sphinx_build import page, warnings_of

pytestmark = pytest.mark.hostile

GUEST = (Path(__file__).parent.parent / "snippets/_guests/minimal.xml").read_text()
SECRET = "host-secret-7f3a9c"  # the content of a host file no input may reach


@pytest.fixture
def host_file(tmp_path: Path) -> Path:
    """A file outside the snippets directory: what an attacker wants published or run."""
    path = tmp_path / "host" / "secret.xml"
    path.parent.mkdir()
    path.write_text(f"<domain><name>{SECRET}</name></domain>\n")
    return path


@pytest.fixture
def snippets(tmp_path: Path) -> Path:
    root = tmp_path / "snippets"
    (root / "_guests").mkdir(parents=True)
    (root / "_guests/minimal.xml").write_text(GUEST)
    return root


def write(root: Path, key: str, text: str | bytes, spec: str | None = None) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    if spec is not None:
        path.with_name(path.name + ".check.toml").write_text(spec)
    return path


def refused(root: Path) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_specs(root)
    assert SECRET not in str(caught.value)
    return caught.value


# -- specs: paths out of snippets/ -----------------------------------------------------------

DOMAIN_SPEC = 'kind = "domain-xml"\nsummary = "s"\n'


def test_a_spec_guest_with_dot_dot_is_refused_at_its_line(snippets: Path, host_file: Path) -> None:
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + 'guest = "../../host/secret.xml"\n')
    error = refused(snippets)
    assert str(error).endswith(
        "d.xml.check.toml:3: guest: base guest '../../host/secret.xml' leaves snippets/ (with '..')")


def test_an_absolute_spec_guest_is_refused_at_its_line(snippets: Path, host_file: Path) -> None:
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + f'guest = "{host_file}"\n')
    error = refused(snippets)
    assert error.line == 3 and error.key == "guest"
    assert "must be relative to snippets/" in str(error)


def test_a_symlinked_base_guest_pointing_out_is_refused(snippets: Path, host_file: Path) -> None:
    (snippets / "_guests/evil.xml").symlink_to(host_file)
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + 'guest = "_guests/evil.xml"\n')
    error = refused(snippets)
    assert str(error).endswith("guest: base guest '_guests/evil.xml' leaves snippets/ "
                               "(through a symbolic link)")
    assert error.line == 3


def test_a_symlinked_guests_directory_pointing_out_is_refused(snippets: Path,
                                                               host_file: Path) -> None:
    (snippets / "_other").symlink_to(host_file.parent)
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + 'guest = "_other/secret.xml"\n')
    assert "leaves snippets/ (through a symbolic link)" in str(refused(snippets))


def test_a_base_guest_that_does_not_exist_is_named_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + 'guest = "_guests/none.xml"\n')
    assert str(refused(snippets)).endswith(
        "d.xml.check.toml:3: guest: base guest '_guests/none.xml' does not exist")


def test_a_backslash_in_a_guest_path_is_refused(snippets: Path) -> None:
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + 'guest = "_guests\\\\minimal.xml"\n')
    assert "must be relative to snippets/" in str(refused(snippets))


def test_a_symlinked_snippet_pointing_out_is_refused_before_any_check(snippets: Path,
                                                                       host_file: Path) -> None:
    link = snippets / "kvm/a/run.sh"
    link.parent.mkdir(parents=True)
    link.symlink_to(host_file)
    link.with_name("run.sh.check.toml").write_text('kind = "shell"\n')
    error = refused(snippets)
    assert str(error) == f"{link}:1: snippet 'kvm/a/run.sh' leaves snippets/ (through a symbolic link)"


def test_a_symlink_to_a_file_inside_snippets_is_accepted(snippets: Path) -> None:
    write(snippets, "kvm/a/real.sh", "true\n", 'kind = "shell"\n')
    (snippets / "kvm/a/alias.sh").symlink_to("real.sh")
    (snippets / "kvm/a/alias.sh.check.toml").write_text('kind = "shell"\n')
    assert sorted(load_specs(snippets)) == ["kvm/a/alias.sh", "kvm/a/real.sh"]


def test_a_step_snippet_with_dot_dot_is_refused_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/p.virsh", "virsh list\n",
          'kind = "virsh"\n\n[[steps]]\nsnippet = "../../../etc/passwd"\n')
    assert str(refused(snippets)).endswith(
        "p.virsh.check.toml:4: steps[0].snippet: '../../../etc/passwd' must stay inside the "
        "snippets directory")


def test_an_absolute_step_snippet_is_refused_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/p.virsh", "virsh list\n",
          'kind = "virsh"\n\n[[steps]]\nsnippet = "/etc/passwd"\n')
    assert str(refused(snippets)).endswith(
        "p.virsh.check.toml:4: steps[0].snippet: '/etc/passwd' must be relative to the "
        "snippet's directory")


def test_a_fragment_symlinked_out_is_refused_at_its_line(snippets: Path, host_file: Path) -> None:
    write(snippets, "kvm/a/p.virsh", "virsh edit GUEST\n",
          'kind = "virsh"\n\n[[steps]]\nsnippet = "p.virsh"\n[steps.edit]\nfragment = "f.xml"\n')
    (snippets / "kvm/a/f.xml").symlink_to(host_file)
    # the fragment is a snippet too: refused as such, before the spec naming it is read
    assert str(refused(snippets)).endswith(
        "f.xml:1: snippet 'kvm/a/f.xml' leaves snippets/ (through a symbolic link)")


def test_a_verified_by_with_dot_dot_is_refused_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/x.xml", "<a/>\n", 'kind = "domain-xml"\nverified_by = "../../x.sh"\n')
    assert str(refused(snippets)).endswith(
        "x.xml.check.toml:2: verified_by: '../../x.sh' must stay inside the snippets directory")


def test_a_check_spec_that_is_a_symlink_out_is_refused(snippets: Path, tmp_path: Path) -> None:
    outside = tmp_path / "evil.check.toml"
    outside.write_text('kind = "shell"\n')
    write(snippets, "kvm/a/run.sh", "true\n")
    (snippets / "kvm/a/run.sh.check.toml").symlink_to(outside)
    assert "check spec 'kvm/a/run.sh.check.toml' leaves snippets/" in str(refused(snippets))


# -- specs: cross-references and files ------------------------------------------------------


def test_a_missing_step_snippet_is_named_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/p.virsh", "virsh list\n",
          'kind = "virsh"\n\n[[steps]]\nsnippet = "p.virsh"\n\n[[steps]]\nsnippet = "gone.sh"\n')
    assert str(refused(snippets)).endswith(
        "p.virsh.check.toml:7: steps[1].snippet: no snippet 'kvm/a/gone.sh' with a check spec")


def test_a_missing_fragment_is_named_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/p.virsh", "virsh edit GUEST\n",
          'kind = "virsh"\n[[steps]]\nsnippet = "p.virsh"\n[steps.edit]\nfragment = "f.xml"\n')
    assert str(refused(snippets)).endswith(
        "p.virsh.check.toml:5: steps[0].edit.fragment: no snippet 'kvm/a/f.xml' with a check spec")


def test_a_missing_verified_by_target_is_named_at_its_line(snippets: Path) -> None:
    write(snippets, "kvm/a/x.xml", "<a/>\n",
          'kind = "xml-fragment"\nsummary = "s"\nverified_by = "p.virsh"\n'
          '[apply]\nmode = "append"\ntarget = "/domain/devices"\n')
    assert str(refused(snippets)).endswith(
        "x.xml.check.toml:3: verified_by: 'kvm/a/p.virsh' is not a snippet with its own check")


def test_an_orphan_spec_is_an_error(snippets: Path) -> None:
    orphan = snippets / "kvm/a/renamed.sh.check.toml"
    orphan.parent.mkdir(parents=True)
    orphan.write_text('kind = "shell"\n')
    assert str(refused(snippets)) == (f"{orphan}:1: no snippet 'renamed.sh' beside this check spec "
                                      "(renamed or deleted?)")


def test_a_spec_that_is_not_utf8_is_located(snippets: Path) -> None:
    write(snippets, "kvm/a/run.sh", "true\n")
    (snippets / "kvm/a/run.sh.check.toml").write_bytes(b'kind = "shell"\nsummary = "\xff"\n')
    assert str(refused(snippets)).endswith("run.sh.check.toml:2: not UTF-8 text (byte 26)")


def test_a_spec_that_is_not_toml_is_located(snippets: Path) -> None:
    write(snippets, "kvm/a/run.sh", "true\n", 'kind = "shell"\nsummary = \n')
    error = refused(snippets)
    assert error.line == 2 and "not valid TOML" in str(error)


def test_a_snippet_over_the_size_limit_is_refused(snippets: Path) -> None:
    write(snippets, "kvm/a/big.sh", "#" * 300_000 + "\n", 'kind = "shell"\n')
    assert str(refused(snippets)).endswith(
        "big.sh:1: snippet is 300001 bytes, over the limit of 262144 bytes")


def test_the_size_limit_is_configurable(snippets: Path) -> None:
    write(snippets, "kvm/a/run.sh", "true\n" * 10, 'kind = "shell"\n')
    with pytest.raises(SpecError, match="over the limit of 10 bytes"):
        load_specs(snippets, size_limit=10)
    assert list(load_specs(snippets, size_limit=0)) == ["kvm/a/run.sh"]


def test_spec_problems_reports_every_broken_spec_not_only_the_first(snippets: Path) -> None:
    write(snippets, "kvm/a/one.sh", "true\n", 'kind = "nonsense"\n')
    write(snippets, "kvm/b/two.sh", "true\n", 'kind = "shell"\nexit = 1\n')
    problems = spec_problems(snippets)
    assert [(p.file.name, p.line) for p in problems] == [("one.sh.check.toml", 1),
                                                         ("two.sh.check.toml", 2)]


# -- the verifier's command line: bad input is exit 2, one line, nothing written -------------


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``relnotes verify ARGV`` (``run`` names the run itself, as ``merge`` names a merge)."""
    code = relnotes_main(["verify", *(argv[1:] if argv[:1] == ["run"] else argv)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err


def test_verify_run_refuses_a_hostile_spec_with_exit_2_before_starting_anything(
        snippets: Path, host_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    write(snippets, "kvm/a/d.xml", GUEST, DOMAIN_SPEC + f'guest = "{host_file}"\n')
    out = tmp_path / "out"
    code, err = run_cli(["run", "--snippets-dir", str(snippets), "--out", str(out)], capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "d.xml.check.toml:3" in err
    assert not out.exists()  # no ledger, no empty JUnit


def test_verify_run_refuses_a_snippet_over_the_given_size_limit(
        snippets: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = write(snippets, "kvm/a/run.sh", "true\n" * 20, 'kind = "shell"\n')
    out = tmp_path / "out"
    code, err = run_cli(["run", "--snippets-dir", str(snippets), "--out", str(out),
                         "--snippet-size-limit", "64"], capsys)
    assert (code, err) == (2, f"error: {big}:1: snippet is 100 bytes, over the limit of 64 bytes\n")
    assert not out.exists()


@pytest.mark.parametrize("content", [b'{"format": 1, "records": 5}', b'{"format": 1, "records": null}',
                                     b'{"format": 1, "records": []}\xff'])
def test_verify_merge_of_a_malformed_ledger_exits_2_and_writes_nothing(
        tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    output = tmp_path / "merged.json"
    code, err = run_cli(["merge", str(bad), "-o", str(output)], capsys)
    assert code == 2 and err.startswith(f"error: {bad}") and not output.exists()


def test_verify_run_with_a_malformed_ledger_exits_2(snippets: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "ledger.json").write_text('{"format": 1, "records": null}')
    code, err = run_cli(["run", "--snippets-dir", str(snippets), "--out", str(out)], capsys)
    assert code == 2
    assert err == f"error: {out / 'ledger.json'}: records: must be a list of records, not null\n"
    assert sorted(p.name for p in out.iterdir()) == ["ledger.json"]


# -- ledgers -----------------------------------------------------------------------------------

RECORD = {
    "snippet": "kvm/a/x.sh", "target": "bookworm", "sha256": "0" * 64, "inputs_sha256": "",
    "result": "passed", "reason": None, "check": "kvm/a/x.sh", "layers": {},
    "environment": {"target": "bookworm", "libvirt_version": "9.0.0", "qemu_version": "7.2",
                    "accelerator": "tcg", "image_id": "1" * 64, "label": "l"},
    "verified_at": "2026-11-25T19:30:00Z", "duration": 1.0, "log": "",
}


def ledger_error(tmp_path: Path, content: bytes | object) -> str:
    path = tmp_path / "ledger.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    return str(caught.value).removeprefix(f"{path}")


@pytest.mark.parametrize(("content", "message"), [
    ({"format": 1, "records": 5}, ": records: must be a list of records, not a number"),
    ({"format": 1, "records": None}, ": records: must be a list of records, not null"),
    ({"format": 1, "records": "x"}, ": records: must be a list of records, not a string"),
    (b'{"format": 1,\n "records": ["\xff"]}', ":2: not UTF-8 (byte 28)"),
    ({"format": 1, "records": [5]}, ": records[0]: must be an object, not a number"),
    ({"format": 1, "records": [{**RECORD, "layers": 5}]}, ": records[0]: layers: must be an "
                                                          "object, not a number"),
    ({"format": 1, "records": [{**RECORD, "layers": {"run": "x"}}]},
     ": records[0]: layers.run: must be an object, not a string"),
    ({"format": 1, "records": [{**RECORD, "environment": None}]},
     ": records[0]: environment: must be an object, not null"),
    ({"format": 1, "records": [{**RECORD, "snippet": 7}]},
     ": records[0]: snippet: must be a string, not a number"),
    ({"format": 1, "records": [{**RECORD, "verified_at": "yesterday"}]},
     ": records[0]: Invalid isoformat string: 'yesterday'"),
    ([1, 2], ": unsupported ledger format 'list' (expected 3)"),
    (b"[" * 100_000, ": not a ledger: nested too deeply"),
])
def test_a_malformed_ledger_is_a_located_ledger_error(tmp_path: Path, content: object,
                                                      message: str) -> None:
    assert ledger_error(tmp_path, content) == message


# -- file modes --------------------------------------------------------------------------------


@pytest.fixture(params=[0o022, 0o027])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def record() -> Record:
    return Record("kvm/a/x.sh", "0" * 64, "", Status.PASSED, None,
                  {"run": Layer(LayerStatus.PASSED)},
                  Environment("bookworm", "9.0.0", "7.2", "tcg", "1" * 64),
                  datetime(2026, 11, 25, tzinfo=UTC), 1.0)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_ledger_gets_the_mode_a_plain_write_would(tmp_path: Path, umask: int) -> None:
    ledger = Ledger()
    ledger.add(record())
    write_ledger(ledger, tmp_path / "ledger.json")
    assert mode(tmp_path / "ledger.json") == 0o666 & ~umask
    assert current_umask() == umask


def test_the_junit_file_gets_the_mode_a_plain_write_would(tmp_path: Path, umask: int) -> None:
    write_junit([record()], tmp_path / "junit.xml")
    assert mode(tmp_path / "junit.xml") == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]  # no temporary left


# -- snippets as the engine reads them ---------------------------------------------------------


def test_a_doctype_survives_re_serialisation_of_a_domain() -> None:
    root = parse("<!DOCTYPE domain>\n<domain><name>x</name></domain>", "d.xml")
    root.find("name").text = "rn-guest"  # type: ignore[union-attr]
    assert serialize(root) == "<!DOCTYPE domain>\n<domain><name>rn-guest</name></domain>\n"


def test_an_internal_entity_is_kept_as_written_not_expanded() -> None:
    text = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<d>&x;</d>'
    assert "root:" not in serialize(parse(text, "d.xml"))
    assert "&x;" in serialize(parse(text, "d.xml"))


@pytest.mark.parametrize(("name", "message"), [
    ("", "path '' is empty or contains a NUL"),
    ("a\0b", "path 'a\\x00b' is empty or contains a NUL"),
    ("/etc/passwd", "path '/etc/passwd' must be relative to snippets/"),
    ("..\\x", "path '..\\\\x' must be relative to snippets/"),
    ("a/../../x", "path 'a/../../x' leaves snippets/ (with '..')"),
    ("missing.sh", "path 'missing.sh' is not a file in snippets/"),
    (".", "path '.' is not a file in snippets/"),
])
def test_confine_refuses_each_form_of_escape(snippets: Path, name: str, message: str) -> None:
    with pytest.raises(PathError) as caught:
        confine(snippets, name)
    assert str(caught.value) == message


# -- pages (the docs build) ---------------------------------------------------------------------

CONF = ('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
        'exclude_patterns = ["_build", "snippets"]\nsuppress_warnings = ["relnotes.unreachable"]\n')
SETTINGS = 'ledger = "ledger.json"\n'



def issue_page(snippet: str = "", component: str = "comp", extra: str = "") -> str:
    shown = f"```{{rn:snippet}} {snippet}\n```\n" if snippet else ""
    return (f"# An issue\n\n```{{rn:issue}} one\n:component: {component}\n:releases: R\n"
            f":kind: known-issue\n{extra}```\n\n{shown}")


Build = Callable[..., SphinxTestApp]


@pytest.fixture
def build(make_app: Callable[..., SphinxTestApp], tmp_path: Path) -> Build:
    def run(pages: dict[str, str], files: dict[str, str | bytes] | None = None,
            settings: str = "") -> SphinxTestApp:
        src = tmp_path / "site"
        (src / "snippets").mkdir(parents=True, exist_ok=True)
        (src / "conf.py").write_text(CONF)
        (src / "relnotes.toml").write_text(SETTINGS + settings)
        toctree = "\n".join(name for name in pages)
        (src / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{toctree}\n```\n")
        for name, text in pages.items():
            (src / f"{name}.md").write_text(text)
        for key, content in (files or {}).items():
            write(src / "snippets", key, content)
        app = make_app("html", srcdir=src)
        app.build()
        return app
    return run


def test_a_component_name_with_html_is_refused_at_the_directive(build: Build) -> None:
    app = build({"one": issue_page(component="<img src=x onerror=alert(1)>")})
    [warning] = warnings_of(app)
    assert "one.md:3:" in warning and "invalid field component: '<img src=x onerror=alert(1)>' " \
        "is not a lowercase slug" in warning
    assert not [p for p in Path(app.outdir).rglob("*.html") if "<img src=x" in p.read_text()]


def test_a_topic_with_html_is_refused_where_it_is_declared(build: Build) -> None:
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match=r"relnotes.toml:2: topics: must be a list of lowercase "
                                          r"names"):
        build({"one": issue_page(extra=":topics: <b>bold</b>\n")},
              settings='topics = ["<b>bold</b>"]\n')


def test_an_absolute_snippet_path_in_a_page_is_refused_at_its_line(build: Build,
                                                                   host_file: Path) -> None:
    app = build({"one": issue_page(str(host_file))})
    [warning] = warnings_of(app)
    assert "one.md:9:" in warning and "must be relative to snippets/" in warning
    assert SECRET not in (Path(app.outdir) / "one.html").read_text()


def test_a_symlinked_snippet_pointing_out_is_refused_in_a_page(build: Build, host_file: Path,
                                                               tmp_path: Path) -> None:
    link = tmp_path / "site/snippets/comp/evil.xml"
    link.parent.mkdir(parents=True)
    link.symlink_to(host_file)
    app = build({"one": issue_page("comp/evil.xml")})
    assert [w for w in warnings_of(app) if "one.md:9:" in w and
            "snippet path 'comp/evil.xml' leaves snippets/ (through a symbolic link)" in w]
    assert SECRET not in (Path(app.outdir) / "one.html").read_text()


def test_a_non_utf8_snippet_gets_one_warning_and_no_included_by_no_page(build: Build) -> None:
    app = build({"one": issue_page("comp/latin1.sh")}, {"comp/latin1.sh": b"echo caf\xe9\n"})
    [warning] = warnings_of(app)
    assert "one.md:9:" in warning and "snippet 'comp/latin1.sh' is not UTF-8 text (byte 8)" in warning


def test_a_snippet_over_the_size_limit_is_refused_in_a_page(build: Build) -> None:
    app = build({"one": issue_page("comp/big.sh")}, {"comp/big.sh": "#" * 100 + "\n"},
                settings="snippet_size_limit = 64\n")
    [warning] = warnings_of(app)
    assert "one.md:9:" in warning and \
        "snippet 'comp/big.sh' is 101 bytes, over the limit of 64 bytes" in warning
    assert "#" * 100 not in (Path(app.outdir) / "one.html").read_text()


def test_a_broken_spec_is_a_located_warning_in_the_docs_build(build: Build) -> None:
    app = build({"one": issue_page("comp/run.sh")},
                {"comp/run.sh": "true\n",
                 "comp/run.sh.check.toml": 'kind = "shell"\n\nguest = "../../conf.py"\n'})
    [warning] = warnings_of(app)
    assert "run.sh.check.toml:3: WARNING: check spec: guest: base guest '../../conf.py' leaves " \
        "snippets/ (with '..') [relnotes.spec]" in warning


def test_an_orphan_spec_is_a_warning_in_the_docs_build(build: Build) -> None:
    app = build({"one": issue_page()}, {"comp/gone.sh.check.toml": 'kind = "shell"\n'})
    [warning] = warnings_of(app)
    assert "gone.sh.check.toml:1: WARNING: check spec: no snippet 'gone.sh' beside this check " \
        "spec" in warning


@pytest.mark.parametrize("content", [b'{"format": 1, "records": 5}',
                                     b'{"format": 1, "records": null}', b"\xff\xfe"])
def test_a_malformed_ledger_is_a_located_warning_not_a_crash(build: Build, tmp_path: Path,
                                                             content: bytes) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site/ledger.json").write_bytes(content)
    app = build({"one": issue_page("comp/run.sh")}, {"comp/run.sh": "true\n"})
    ledger_warnings = [w for w in warnings_of(app) if "[relnotes.ledger]" in w]
    assert ledger_warnings and all("ledger.json:1: WARNING: cannot read the verification ledger"
                                   in w for w in ledger_warnings)
    issues = json.loads((Path(app.outdir) / "issues.json").read_text())
    assert issues["issues"][0]["snippets"][0]["status"] is None


def test_published_files_get_the_mode_a_plain_write_would(build: Build, umask: int) -> None:
    app = build({"one": issue_page(extra=":bz: 123456\n")})
    out = Path(app.outdir)
    assert mode(out / "issues.json") == 0o666 & ~umask
    assert mode(out / "bz/123456.html") == 0o666 & ~umask
    assert page(app, "bz/123456.html").find("a") is not None


# -- parallel checks -----------------------------------------------------------------------------


class QuietDaemon:
    """Enough of a daemon for the runner's scheduling; the procedures are fakes."""

    environment = Environment("bookworm", "9.0.0", "7.2.0", "tcg", "img")


def test_checks_sharing_a_written_path_or_domain_name_never_run_side_by_side(
        snippets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    from relnotes.core.plan import plan_checks
    from relnotes.engine import runner as runner_module
    from relnotes.engine.procedure import Outcome

    for index in range(3):  # three install the same wrapper, three start the same domain
        write(snippets, f"kvm/p{index}/w.virsh", "virsh list\n",
              'kind = "virsh"\n[[steps]]\nsnippet = "w.virsh"\ninstall = "/usr/libexec/qemu-kvm.x"\n')
        write(snippets, f"kvm/q{index}/n.virsh", "virsh start new-guest\n",
              'kind = "virsh"\n[[steps]]\nsnippet = "n.virsh"\n[[effects]]\nprobe = "running"\n'
              'guest = "new-guest"\nequals = true\ncontrol = "none"\n'
              'control_reason = "the published guest has no unchanged twin"\n')
    checks = plan_checks(snippets)
    running: dict[str, int] = {}
    most: dict[str, int] = {}
    lock = threading.Lock()

    class Holding:
        lost = None

        def __init__(self, check, daemon, target, guest, **_options):  # type: ignore[no-untyped-def]
            self.check = check
            self.kind = check.key.split("/")[1][0]  # p: the wrapper, q: the domain

        def run(self) -> Outcome:
            with lock:
                running[self.kind] = running.get(self.kind, 0) + 1
                most[self.kind] = max(most.get(self.kind, 0), running[self.kind])
            time.sleep(0.05)  # long enough for another job to start if nothing stopped it
            with lock:
                running[self.kind] -= 1
            outcome = Outcome(self.check, "bookworm", datetime.now(UTC))
            outcome.record("run", LayerStatus.PASSED, "ok")
            return outcome

    monkeypatch.setattr(runner_module, "Procedure", Holding)
    result = runner_module.run_target(QuietDaemon(), checks, Ledger(), force=True,  # type: ignore[arg-type]
                                      jobs=6, log=lambda _: None)
    assert result.ran == 6 and most == {"p": 1, "q": 1}
    assert sorted(checks[0].claims()) == ["path:/usr/libexec/qemu-kvm.x"]
    assert sorted(checks[3].claims()) == ["domain:new-guest"]


def test_a_page_that_is_not_utf8_is_a_located_warning_not_a_traceback(build: Build) -> None:
    app = build({"one": issue_page(), "two": "# Two\n\nfine\n"})
    (Path(app.srcdir) / "two.md").write_bytes(b"# Two\n\ncaf\xe9\n")
    app.build(force_all=True)
    [warning] = [w for w in warnings_of(app) if "two.md" in w]
    assert "two.md:3: WARNING: page is not utf-8-sig text (byte 10); not read [relnotes.page]" \
        in warning


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "snippet_size_limit: must be a positive number of bytes"),
    ('"big"', "snippet_size_limit: must be an integer, not str"),
])
def test_a_bad_snippet_size_limit_is_a_configuration_error(build: Build, value: str,
                                                           message: str) -> None:
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"relnotes.toml:2: {message}"):
        build({"one": issue_page()}, settings=f"snippet_size_limit = {value}\n")


def test_a_spec_broken_after_a_build_is_reported_by_the_next_one_that_reads_nothing(
        build: Build, make_app: Callable[..., SphinxTestApp], tmp_path: Path) -> None:
    app = build({"one": issue_page("comp/run.sh")},
                {"comp/run.sh": "true\n", "comp/run.sh.check.toml": 'kind = "shell"\n',
                 "_guests/minimal.xml": GUEST})
    assert warnings_of(app) == []
    (tmp_path / "site/snippets/comp/run.sh.check.toml").write_text('kind = "shell"\nexit = 1\n')
    again = make_app("html", srcdir=tmp_path / "site")
    again.build()
    [warning] = [w for w in warnings_of(again) if "check spec" in w]
    assert "run.sh.check.toml:2: WARNING: check spec: exit: unknown key 'exit'" in warning


def test_html_in_directive_options_and_titles_is_escaped_where_the_extension_writes_it(
        build: Build) -> None:
    # (Raw HTML in the Markdown itself is MyST's feature, the author's to use; the values
    # checked here are options and titles the extension itself puts into pages.)
    text = issue_page(extra=":bz: 123456\n").replace(
        "# An issue", "# A &lt;script&gt; issue").replace(
        ":releases: R", ":releases: <img src=x onerror=alert(2)>")
    app = build({"one": text})
    assert warnings_of(app) == []
    out = Path(app.outdir)
    for name in ("one.html", "bz/123456.html", "rn-bz.html", "rn-kind.html"):
        html = (out / name).read_text()
        assert "<img src=x" not in html and "<script> issue" not in html, name
    assert "&lt;img src=x onerror=alert(2)&gt;" in (out / "one.html").read_text()
    assert "A &lt;script&gt; issue" in (out / "bz/123456.html").read_text()
