"""Hostile paths in pages and catalogs: no file outside the site's pages and snippets reaches
the built site, whichever directive, role or Markdown syntax names it, in every language; the
build and ``relnotes check`` report each at the same place with the same words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from relnotes.cli import main
from relnotes.core.paths import PathError
from relnotes.core.read_paths import ReadRoots, check_named, check_read

pytestmark = pytest.mark.hostile

SECRET = "host-secret-5d21e8"
WARNING = re.compile(r"^(?P<file>/\S+?):(?P<line>\d+): WARNING: (?P<message>.*) \[relnotes\.path\]$")
PROBLEM = re.compile(r"^(?P<file>\S+?):(?P<line>\d+): (?P<message>.*) \[relnotes\.path\]$")

#: One hostile construct per page: (page body, the words of its refusal).
HOSTILE = {
    "download": ("{download}`x <../../../host/secret.txt>`\n", "download '../../../host/secret.txt'"),
    "deep-download": ("{download}`x <" + "../" * 12 + "etc/passwd>`\n", "download '../../"),
    "literalinclude": ("```{literalinclude} ../../../host/secret.txt\n```\n",
                       "literalinclude '../../../host/secret.txt'"),
    "include": ("```{include} ../../../host/secret.txt\n```\n", "include '../../../host/secret.txt'"),
    "image": ("```{image} ../../../host/secret.png\n```\n", "image '../../../host/secret.png'"),
    "figure": ("```{figure} ../../../host/secret.png\n\nA caption.\n```\n",
               "image '../../../host/secret.png'"),
    "markdown-image": ("![alt](../../../host/secret.png)\n", "image '../../../host/secret.png'"),
    "markdown-link": ("[a file](../../../host/secret.txt)\n", "download '../../../host/secret.txt'"),
    "raw-file": ("```{raw} html\n:file: ../../../host/secret.txt\n```\n",
                 "raw :file: '../../../host/secret.txt'"),
    "csv-file": ("```{csv-table}\n:file: ../../../host/secret.txt\n```\n",
                 "csv-table :file: '../../../host/secret.txt'"),
    "absolute": ("{download}`x </../../../host/secret.txt>`\n", "download '/../../../host/secret.txt'"),
    "symlink": ("{download}`x <link.txt>`\n", "download 'link.txt'"),
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret.txt").write_text(f"{SECRET}\n")
    (host / "secret.png").write_text(f"{SECRET}\n")
    root = tmp_path / "site"
    source = root / "source"
    (source / "pages").mkdir(parents=True)
    (root / "snippets").mkdir()
    (root / "conf.py").write_text('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
                                  'exclude_patterns = ["_build", "locale"]\n'
                                  'locale_dirs = ["locale/"]\ngettext_compact = False\n')
    (root / "relnotes.toml").write_text('languages = ["en", "ja"]\n')
    (source / "index.md").write_text(
        "# Notes\n\n```{toctree}\n:glob:\n\npages/*\n```\n")
    for name, (body, _) in HOSTILE.items():
        (source / "pages" / f"{name}.md").write_text(f"# {name}\n\nSome text.\n\n{body}")
    os.symlink(host / "secret.txt", source / "pages" / "link.txt")
    # A translation that names a host file where its page names none.
    (source / "pages" / "translated.md").write_text("# translated\n\nPlain words.\n")
    catalog = source / "locale" / "ja" / "LC_MESSAGES" / "pages" / "translated.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                       'msgid "Plain words."\n'
                       'msgstr "{download}`x <../../../host/secret.txt>`"\n')
    return root


def leaked(folder: Path) -> list[str]:
    return [str(path.relative_to(folder)) for path in folder.rglob("*")
            if path.is_file() and SECRET.encode() in path.read_bytes()]


def found(pattern: re.Pattern[str], text: str, root: Path) -> set[tuple[str, int, str]]:
    places = set()
    for line in text.splitlines():
        if match := pattern.match(line.strip()):
            file = Path(match["file"])
            shown = str(file.relative_to(root)) if file.is_absolute() else str(file)
            places.add((shown, int(match["line"]), match["message"]))
    return places


def test_no_host_file_reaches_a_strict_build_and_each_is_a_located_error(
        site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site), "build", "--strict", "--jobs", "1"]) == 1
    err = capfd.readouterr().err
    warnings = found(WARNING, err, site)
    for name, (_, words) in HOSTILE.items():
        assert any(file == f"source/pages/{name}.md" and message.startswith(words)
                   for file, _, message in warnings), (name, warnings)
    assert leaked(site / "_build") == []
    assert "Traceback" not in err


def test_a_build_without_strict_publishes_no_host_file_either(
        site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site), "build", "--jobs", "1"]) == 0
    capfd.readouterr()
    preview = site / "_build" / "preview"
    assert (preview / "pages" / "download.html").is_file()
    assert (preview / "ja" / "pages" / "translated.html").is_file()
    assert leaked(site / "_build") == []
    assert not (preview / "_downloads").exists() and not (preview / "_images").exists()


def test_publish_refuses_a_page_naming_a_host_file(site: Path,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site), "publish", "--jobs", "1"]) == 1
    assert "[relnotes.path]" in capfd.readouterr().err
    assert not (site / "_build" / "html").exists()
    assert leaked(site / "_build") == []


def test_check_reports_every_page_and_the_catalog_where_the_build_does(
        site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--site", str(site), "build", "--jobs", "1"]) == 0
    built = found(WARNING, capfd.readouterr().err, site)
    assert main(["--site", str(site), "check"]) == 1
    checked = found(PROBLEM, capfd.readouterr().out, site)
    pages = {place for place in built if "<translated>" not in place[0]}
    assert {place for place in checked if place[0].endswith(".md")} == pages
    assert ("source/locale/ja/LC_MESSAGES/pages/translated.po", 5,  # the entry's line
            "download '../../../host/secret.txt' names a file outside source/, snippets/ "
            "(with '..'); the build reads only the site's own files") in checked
    # The build names the translated page's paragraph, in the Japanese build.
    assert any("translated.md" in file and "download '../../../host/secret.txt'" in message
               for file, _, message in built)


def test_a_site_file_and_a_snippet_may_be_named(tmp_path: Path) -> None:
    source, snippets = tmp_path / "source", tmp_path / "snippets"
    (source / "pages").mkdir(parents=True)
    snippets.mkdir()
    (source / "data.csv").write_text("a,b\n")
    (snippets / "fix.sh").write_text("true\n")
    roots = ReadRoots(source, (snippets,))
    assert check_named("../data.csv", "pages/p", roots, what="download") == source / "data.csv"
    assert check_named("/data.csv", "pages/p", roots, what="download") == source / "data.csv"
    assert check_named("../../snippets/fix.sh", "pages/p", roots, what="literalinclude") \
        == snippets / "fix.sh"
    assert check_named("https://example.org/x.png", "p", roots, what="image") is None


def test_a_fifo_or_a_device_is_refused_without_being_opened(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    os.mkfifo(source / "pipe")
    roots = ReadRoots(source)
    with pytest.raises(PathError, match="'pipe' is not a regular file"):
        check_named("pipe", "index", roots, what="literalinclude")
    os.symlink("/dev/zero", source / "zero")
    with pytest.raises(PathError, match="outside source/"):
        check_read(source / "zero", roots, what="include", name="zero")


@pytest.mark.parametrize(("name", "message"), [
    ("<../../etc/passwd>", "is not one of docutils' standard includes"),
    ("<>", "is not one of docutils' standard includes"),
    ("a\0b", "contains a NUL"),
])
def test_odd_names_are_refused(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(PathError, match=message):
        check_named(name, "index", ReadRoots(tmp_path), what="include")


def test_a_url_option_is_refused_by_check(tmp_path: Path,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "conf.py").write_text("")
    (tmp_path / "source" / "index.md").write_text(
        "# Notes\n\n```{raw} html\n:url: http://169.254.169.254/latest/meta-data\n```\n")
    assert main(["--site", str(tmp_path), "check"]) == 1
    assert ("source/index.md:3: raw: the :url: option is refused: the build fetches nothing "
            "from the network [relnotes.path]") in capfd.readouterr().out


def test_a_page_that_is_a_fifo_is_refused_by_check_and_build_without_blocking(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "conf.py").write_text('extensions = ["relnotes.sphinxext", "myst_parser"]\n'
                                      'exclude_patterns = ["_build"]\n')
    (tmp_path / "source" / "index.md").write_text("# Notes\n")
    os.mkfifo(tmp_path / "source" / "pipe.md")
    assert main(["--site", str(tmp_path), "check"]) == 1
    assert "source/pipe.md:1: is a FIFO, not a regular page [relnotes.page]" \
        in capfd.readouterr().out
    assert main(["--site", str(tmp_path), "build", "--jobs", "1"]) == 0
    assert "pipe.md:1: WARNING: is a FIFO, not a regular page; not read [relnotes.page]" \
        in capfd.readouterr().err


def _fifo_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    (tmp_path / "source").mkdir()
    (tmp_path / "conf.py").write_text(
        'extensions = ["relnotes.sphinxext", "myst_parser"]\n'
        'exclude_patterns = ["_build", "parts"]\nlocale_dirs = ["locale/"]\n')
    for name, text in pages.items():
        (tmp_path / "source" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "source" / name).write_text(text)
    return tmp_path


def _build(site: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """A build in a process of its own, so that a read that blocks fails the test (timeout)
    instead of hanging the suite."""
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-c", str(site), *options, str(site / "source"),
         str(site / "_build" / "out")], capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1"})


def test_a_markdown_include_of_a_fifo_is_refused_before_myst_opens_it(tmp_path: Path) -> None:
    site = _fifo_site(tmp_path, {"index.md": "# Notes\n\nBefore.\n\n```{include} pipe.txt\n```\n"})
    os.mkfifo(site / "source" / "pipe.txt")
    done = _build(site)
    assert done.returncode == 0, done.stderr
    assert (f"{site}/source/index.md:5: WARNING: include 'pipe.txt' is not a regular file "
            "[relnotes.path]") in done.stderr
    assert "Before." in (site / "_build" / "out" / "index.html").read_text()


def test_an_include_inside_an_included_markdown_file_is_checked_too(tmp_path: Path) -> None:
    site = _fifo_site(tmp_path, {"index.md": "# Notes\n\n```{include} parts/inc.md\n```\n",
                                 "parts/inc.md": "Included.\n\n```{include} ../zero\n```\n"})
    os.symlink("/dev/zero", site / "source" / "zero")
    os.mkfifo(site / "source" / "parts" / "pipe.txt")
    done = _build(site)
    assert done.returncode == 0, done.stderr
    assert f"{site}/source/parts/inc.md:3: WARNING: include '../zero' names a file outside" \
        in done.stderr
    assert "Included." in (site / "_build" / "out" / "index.html").read_text()


def test_a_catalog_that_is_a_fifo_is_refused_and_the_language_built_untranslated(
        tmp_path: Path) -> None:
    site = _fifo_site(tmp_path, {"index.md": "# Notes\n\nHello.\n"})
    messages = site / "source" / "locale" / "ja" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    os.mkfifo(messages / "index.po")
    done = _build(site, "-D", "language=ja")
    assert done.returncode == 0, done.stderr
    assert (f"{messages}/index.po:1: WARNING: catalog 'locale/ja/LC_MESSAGES/index.po' is not "
            "a regular file: remove it, or replace it with the catalog's text; the language is "
            "built without its catalogs [relnotes.path]") in done.stderr
    assert "Hello." in (site / "_build" / "out" / "index.html").read_text()
