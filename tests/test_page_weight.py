"""The reader's pages carry only what they use: each issue page with everything it loads at most
120 KB (a size check on the built files, bytes, not a timing), Pygments' rules for the token
classes the pages use, no stylesheet of the theme's for extensions the site does not load, an
icon sprite with the icons the page shows, and the evidence on a page of its own."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from relnotes.sphinxext.assets import TABLE_CLASSES, TABLE_STYLES
from sphinx.application import Sphinx

from tests.built_site import build_site, verified_project
from tests.conftest import ROOTS
from tests.page_weight import LIMIT_BYTES, icon_problems, loaded_files, over_the_limit
from tests.sphinx_build import ANSI, warnings_of

BROKEN_ICONS = ROOTS.parent / "fixtures" / "broken-icons"
STATIC = ROOTS.parent.parent / "_ext" / "relnotes" / "sphinxext" / "static"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The browser tests' hand-made ledger: every snippet has its line and its evidence.
    out = tmp_path_factory.mktemp("weight")
    return build_site(out, verified_project(out))


def issue_pages(site: Path) -> list[str]:
    return sorted(path.relative_to(site).as_posix()
                  for path in [*site.glob("issues/*.html"), *site.glob("*/issues/*.html")])


def every_page(site: Path) -> list[str]:
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                  if "_static" not in path.parts)


# -- the weight ---------------------------------------------------------------------------


def test_every_issue_page_with_everything_it_loads_is_at_most_120_kb(site: Path) -> None:
    pages = issue_pages(site)
    assert len(pages) == 2 * len(list(site.glob("issues/*.html"))) > 0  # both languages
    assert over_the_limit(site, pages) == []


def test_the_weight_check_sees_a_page_over_the_limit(tmp_path: Path) -> None:
    # A page whose own HTML is light but whose stylesheet, and the font that stylesheet
    # loads, are not: everything a page loads counts.
    (tmp_path / "issues").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "issues/heavy.html").write_text(
        '<html><head><link rel="stylesheet" href="../_static/site.css?v=1"></head>'
        '<body><script src="../_static/site.js"></script></body></html>')
    (tmp_path / "_static/site.css").write_text(
        "@font-face { src: url('fonts/face.woff2') }\n" + "p { color: red }\n" * 3000)
    (tmp_path / "_static/site.js").write_text("// nothing\n")
    (tmp_path / "_static/fonts").mkdir()
    (tmp_path / "_static/fonts/face.woff2").write_bytes(b"\0" * 80_000)
    files = loaded_files(tmp_path, "issues/heavy.html")
    assert set(files) == {"issues/heavy.html", "_static/site.css", "_static/site.js",
                          "_static/fonts/face.woff2"}
    [report] = over_the_limit(tmp_path, ["issues/heavy.html"])
    assert report.startswith("issues/heavy.html: ") and f"> {LIMIT_BYTES:,} B" in report
    assert "_static/fonts/face.woff2 80,000" in report
    # A file the page links that the build lacks is an error, not a light page.
    (tmp_path / "_static/site.js").unlink()
    with pytest.raises(FileNotFoundError, match=r"_static/site\.js"):
        loaded_files(tmp_path, "issues/heavy.html")


# -- what the pages load ------------------------------------------------------------------


def test_no_page_links_the_themes_stylesheet_for_other_extensions(site: Path) -> None:
    for page in every_page(site):
        assert not [name for name in loaded_files(site, page) if "furo-extensions" in name], page
    # The theme's own stylesheet is still there.
    assert "_static/styles/furo.css" in loaded_files(site, issue_pages(site)[0])


def selectors(css: str) -> list[str]:
    """Each selector of a stylesheet's rules (at-rules' own lines left out, pseudo-elements
    dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"@media[^{]*\{", "", css)
    found = []
    for group in re.findall(r"([^{}]+)\{[^{}]*\}", css):
        found += [selector.split("::")[0].strip() for selector in group.split(",")]
    return [selector for selector in found if selector]


def test_the_tables_stylesheet_is_loaded_by_the_pages_with_a_table_and_no_other(
        site: Path) -> None:
    css = (STATIC / TABLE_STYLES).read_text(encoding="utf-8")
    rules = selectors(css)
    assert len(rules) > 20
    # Every rule is about one of the tables whose class makes a page load the stylesheet.
    assert [rule for rule in rules
            if not any(re.search(rf"\.{name}(?![\w-])", rule) for name in TABLE_CLASSES)] == []
    linking = set()
    for page in every_page(site):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        links = any(name.endswith(f"_static/{TABLE_STYLES}") for name in loaded_files(site, page))
        styled = [rule for rule in rules if soup.select(rule)]
        assert links == bool(styled), (page, styled[:3])
        if links:
            linking.add(page)
    assert {"overview.html", "compatibility.html", "snippets.html", "components/kvm.html",
            "ja/overview.html"} <= linking
    assert not [page for page in issue_pages(site) if page in linking]


def test_every_icon_a_page_uses_is_in_its_sprite_and_the_sprite_has_no_other(site: Path) -> None:
    pages = every_page(site)
    problems = {page: icon_problems((site / page).read_text(encoding="utf-8")) for page in pages}
    assert {page: found for page, found in problems.items() if found} == {}
    # The edit button is never shown on this site, so no page carries its icon.
    assert not any('id="svg-pencil"' in (site / page).read_text(encoding="utf-8")
                   for page in pages)


@pytest.mark.parametrize(("fixture", "problem"), [
    ("missing-symbol.html", "uses #svg-pencil, which is not in the sprite"),
    ("unused-symbol.html", "carries #svg-eye, which it does not use"),
])
def test_the_icon_check_sees_a_missing_and_an_unused_icon(fixture: str, problem: str) -> None:
    assert icon_problems((BROKEN_ICONS / fixture).read_text(encoding="utf-8")) == [problem]


def test_every_code_block_can_be_scrolled_by_keyboard(site: Path) -> None:
    blocks = 0
    for page in every_page(site):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        for pre in soup.select("div.highlight > pre"):
            blocks += 1
            assert pre.get("tabindex") == "0", page
    assert blocks > 0


# -- Pygments' stylesheet -------------------------------------------------------------------


def rules(css: str) -> dict[str, set[str]]:
    """The token classes with a rule, per part: light, dark, and dark for the media query."""
    parts = {"light": r"^\.highlight \.([\w-]+) \{",
             "dark": r'^body\[data-theme="dark"\] \.highlight \.([\w-]+) \{',
             "auto": r'^body:not\(\[data-theme="light"\]\) \.highlight \.([\w-]+) \{'}
    return {part: set(re.findall(pattern, css, re.MULTILINE)) for part, pattern in parts.items()}


@pytest.mark.sphinx("html", testroot="highlight-styles", freshenv=True)
def test_pygments_rules_are_kept_for_the_token_classes_pages_use_and_no_other(
        app: Sphinx, make_app: Any) -> None:
    app.build()
    assert warnings_of(app) == []
    outdir = Path(app.outdir)
    css = (outdir / "_static/pygments.css").read_text(encoding="utf-8")
    used = {name for span in BeautifulSoup((outdir / "index.html").read_text(encoding="utf-8"),
                                           "html.parser").select("div.highlight span[class]")
            for name in span["class"]}
    assert {"nt", "na", "s"} <= used  # XML's tags, attributes and strings
    found = rules(css)
    # a11y-dark colours tags and attributes (vs does not): dark and auto keep their rules,
    # light never had one.
    assert {"nt", "na", "s"} <= found["dark"] & found["auto"]
    assert "s" in found["light"]
    # Python's function names and keywords are on no page: their rules are gone.
    assert not ({"nf", "kn"} & (found["light"] | found["dark"] | found["auto"]))
    assert found["dark"] - {"hll"} <= used and found["auto"] - {"hll"} <= used
    # The rules that are not about tokens stay.
    assert ".highlight .hll {" in css and ".highlight { background:" in css
    assert "/* Name.Tag */" not in css

    # A new page in a language no page used before: its tokens get their colours, and the
    # XML page (not rewritten) keeps its own.
    (Path(app.srcdir) / "python.md").write_text(
        "---\norphan: true\n---\n# Python\n\n```python\nimport os\n\ndef main():\n"
        "    return os.getcwd()\n```\n", encoding="utf-8")
    again = make_app("html", srcdir=app.srcdir, freshenv=False)
    again.build()
    # (a second application in the process re-registers Sphinx's nodes: those warnings aside)
    assert [w for w in warnings_of(again) if "python" in w or "pygments" in w.lower()] == []
    status = ANSI.sub("", again._status.getvalue())  # type: ignore[attr-defined]
    assert re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", status) == ["python"]
    found = rules((outdir / "_static/pygments.css").read_text(encoding="utf-8"))
    assert {"k", "kn"} <= found["light"] & found["dark"] & found["auto"]
    assert "nf" in found["dark"] & found["auto"]  # vs does not colour function names
    assert "nt" in found["dark"] and "s" in found["light"]


# -- the evidence on its own page -----------------------------------------------------------


def test_each_issue_pages_evidence_is_on_its_own_page_in_both_languages(site: Path) -> None:
    issue = "issues/kvm-win2008-msi-amd-family16"
    sitemaps = {language: (site / language / "sitemap.xml").read_text(encoding="utf-8")
                for language in ("", "ja")}
    for language in ("", "ja/"):
        page = BeautifulSoup((site / f"{language}{issue}.html").read_text(encoding="utf-8"),
                             "html.parser")
        evidence = BeautifulSoup((site / f"{language}{issue}/evidence.html")
                                 .read_text(encoding="utf-8"), "html.parser")
        snippets = page.select("div.rn-snippet")
        assert len(snippets) == 7
        for snippet in snippets:
            # The line of status stays; the disclosure holds a link to the snippet's part.
            assert snippet.select_one("p.rn-status-line") is not None
            [details] = snippet.select("details.rn-snippet-details")
            assert details.select("ul, .rn-badge, .rn-snippet-summary") == []
            [link] = details.select("a.rn-evidence-link")
            assert link["href"] == f"kvm-win2008-msi-amd-family16/evidence.html#{snippet['id']}"
            part = evidence.select_one(f'section.rn-evidence[id="{snippet["id"]}"]')
            assert part is not None and part.select("div.rn-evidence-body ul.rn-snippet-runs li")
        # Not in the sitemap: the issue page is the page to find.
        assert "evidence.html" not in sitemaps[language.strip("/")]
    assert f"/{issue}.html" in sitemaps[""]
    # Its navigation is the theme's, as on any page at its depth (computed once and reused for
    # every evidence page: the same as the issue page's, one folder deeper).
    for language in ("", "ja/"):
        issue_nav = BeautifulSoup((site / f"{language}{issue}.html").read_text(encoding="utf-8"),
                                  "html.parser").select_one("div.sidebar-tree")
        for evidence_page in sorted((site / language / "issues").glob("*/evidence.html")):
            nav = BeautifulSoup(evidence_page.read_text(encoding="utf-8"),
                                "html.parser").select_one("div.sidebar-tree")
            assert nav is not None and issue_nav is not None
            assert str(nav) == str(issue_nav).replace('href="../', 'href="../../'), evidence_page
    # The Japanese evidence page is Japanese around the ledger's English words.
    ja = BeautifulSoup((site / f"ja/{issue}/evidence.html").read_text(encoding="utf-8"),
                       "html.parser")
    assert ja.select_one("h1").get_text().startswith("根拠: ")
    assert ja.select_one("p.rn-evidence-snippet a").get_text() == (
        "問題のページにあるスニペットとその状態の行")
    ja_issue = BeautifulSoup((site / f"ja/{issue}.html").read_text(encoding="utf-8"),
                             "html.parser")
    assert ja_issue.select_one("a.rn-evidence-link").get_text() == (
        "cpu-family-16.xml の根拠 (専用のページ)")
    assert ja.select_one("ul.rn-snippet-runs span[lang=en]") is not None
