"""Every internal link of the built site, in every language, reaches a page and an anchor on it."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.built_site import build_site, verified_project


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # With the browser tests' hand-made ledger: the pages carry their lines and evidence
    # whatever ledger this checkout holds.
    out = tmp_path_factory.mktemp("links")
    return build_site(out, verified_project(out))


def anchors(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.find_all(id=True)} | {
            tag["name"] for tag in soup.find_all("a", attrs={"name": True})}
    return cache[path]


def broken_links(site: Path) -> list[str]:
    """``page: href`` for each internal link whose file or fragment does not exist."""
    cache: dict[Path, set[str]] = {}
    broken = []
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        here = page.relative_to(site).parent.as_posix()
        for tag in soup.find_all(["a", "link"], href=True):
            href = str(tag["href"])
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if tag.name == "link" and "alternate" not in (tag.get("rel") or []):
                continue  # stylesheets and icons: the browser tests see each one load
            if parts.path.startswith("/"):
                relative = parts.path.lstrip("/")  # the 404 page links from the host's root
            else:
                relative = posixpath.normpath(posixpath.join(here, unquote(parts.path) or page.name))
            target = site / relative
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href} (no page)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(
                    target, cache):
                broken.append(f"{page.relative_to(site)}: {href} (no anchor)")
    return broken


def test_no_internal_link_is_broken_in_any_language(site: Path) -> None:
    assert (site / "ja" / "index.html").is_file()
    assert broken_links(site) == []


def test_a_link_to_a_missing_page_or_anchor_is_reported(site: Path, tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    (tmp_path / "other.html").write_text('<p id="here">x</p>')
    page.write_text('<a href="other.html#here">ok</a><a href="other.html#gone">a</a>'
                    '<a href="missing.html">b</a><a href="https://example.org/x">c</a>')
    assert broken_links(tmp_path) == [
        "index.html: other.html#gone (no anchor)", "index.html: missing.html (no page)"]


def test_the_site_has_what_a_host_expects(site: Path) -> None:
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://technotes.example.org/sitemap.xml" in robots
    assert "Sitemap: https://technotes.example.org/ja/sitemap.xml" in robots
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://technotes.example.org/issues/kvm-migration-nx.html</loc>" in sitemap
    # The Japanese sitemap lists translated pages only (an untranslated one is canonical in English).
    assert "<loc>https://technotes.example.org/ja/issues/kvm-rtl8139-performance.html</loc>" in (
        site / "ja" / "sitemap.xml").read_text()
    for language, prefix in (("", ""), ("ja/", "ja/")):
        soup = BeautifulSoup((site / language / "issues/kvm-rtl8139-performance.html").read_text(),
                             "html.parser")
        url = f"https://technotes.example.org/{prefix}issues/kvm-rtl8139-performance.html"
        assert soup.find("link", rel="canonical")["href"] == url
        assert soup.find("meta", property="og:url")["content"] == url
        assert soup.find("meta", property="og:title")["content"]
        # Translated: each language names the other as an alternate.
        other = "en" if language else "ja"
        assert soup.find("link", rel="alternate", hreflang=other) is not None
    not_found = BeautifulSoup((site / "ja" / "404.html").read_text(), "html.parser")
    sheets = [str(link["href"]).split("?")[0] for link in not_found.find_all("link", rel="stylesheet")]
    # From the host's root: the shared copy (/_static/) or the translation's own (/ja/_static/).
    assert sheets and all(href.startswith("/") and (site / href.lstrip("/")).is_file()
                          for href in sheets)
    assert "/_static/styles/furo.css" in sheets


def test_the_not_found_page_links_only_from_the_hosts_root(site: Path) -> None:
    # Served for a missing page at any depth: a relative link would 404 again.
    for language in ("", "ja/"):
        soup = BeautifulSoup((site / language / "404.html").read_text(), "html.parser")
        hrefs = [str(a["href"]) for a in soup.find_all("a", href=True)]
        relative = [href for href in hrefs if not href.startswith(("/", "#", "https:"))]
        assert relative == [], language
        navigation = [a["href"] for a in soup.select(".sidebar-tree a")]
        assert f"/{language}overview.html" in navigation and len(navigation) >= 6


def test_an_absolute_link_rewrite_leaves_urls_fragments_and_rooted_paths_alone() -> None:
    from relnotes.sphinxext.hosting import absolute_links

    html = ('<a href="about.html"><a href="components/kvm.html"><a href="#top">'
            '<a href="/ja/"><a href="https://example.org/x"><a href="mailto:a@b">')
    assert absolute_links(html, "/ja/") == (
        '<a href="/ja/about.html"><a href="/ja/components/kvm.html"><a href="#top">'
        '<a href="/ja/"><a href="https://example.org/x"><a href="mailto:a@b">')


def test_an_issue_page_is_described_by_its_symptoms_first_sentence(site: Path) -> None:
    for language, expected in (
            ("", "When PCI device assignment is used with a 32-bit Microsoft Windows 2008 guest "
                 "on an AMD-based host system, the assigned device may fail to work properly if "
                 "it relies on MSI or MSI-X based interrupts (BZ#654208)."),
            ("ja/", None)):
        soup = BeautifulSoup((site / language / "issues/kvm-win2008-msi-amd-family16.html")
                             .read_text(), "html.parser")
        [meta] = soup.find_all("meta", attrs={"name": "description"})
        [og] = soup.find_all("meta", property="og:description")
        assert meta["content"] == og["content"]
        if expected is not None:
            assert meta["content"] == expected
        assert "Bugzilla," not in meta["content"]  # not the field list flattened
    soup = BeautifulSoup((site / "ja/issues/kvm-rtl8139-performance.html").read_text(), "html.parser")
    assert soup.find("meta", attrs={"name": "description"})["content"].endswith("搭載されます。")


def test_the_first_sentence_ends_at_a_full_stop_in_either_script() -> None:
    from relnotes.sphinxext.hosting import first_sentence

    assert first_sentence("A guest\n may crash. It then  stops.") == "A guest may crash."
    assert first_sentence("version 5.6 of it fails") == "version 5.6 of it fails"
    assert first_sentence("ゲストが停止します。その後") == "ゲストが停止します。"


def test_an_untranslated_page_is_canonical_in_english_and_no_japanese_alternate(site: Path) -> None:
    english = "https://technotes.example.org/issues/kvm-migration-nx.html"
    japanese = BeautifulSoup((site / "ja/issues/kvm-migration-nx.html").read_text(), "html.parser")
    assert japanese.find("link", rel="canonical")["href"] == english
    assert "kvm-migration-nx" not in (site / "ja/sitemap.xml").read_text()
    assert "<loc>https://technotes.example.org/ja/issues/kvm-rtl8139-performance.html</loc>" in (
        site / "ja/sitemap.xml").read_text()
    source = BeautifulSoup((site / "issues/kvm-migration-nx.html").read_text(), "html.parser")
    assert source.find("link", rel="alternate", hreflang="ja") is None
    # The reader still finds the Japanese page from the switcher.
    assert source.select_one("nav.rn-language-switcher a[hreflang=ja]") is not None


def test_the_themes_and_the_sites_words_are_japanese(site: Path) -> None:
    soup = BeautifulSoup((site / "ja/issues/kvm-migration-nx.html").read_text(), "html.parser")
    text = soup.get_text(" ")
    for word in ("次へ", "前へ", "ページの先頭へ", "このページの内容", "ダウンロード"):
        assert word in text, word
    assert soup.select_one(".sidebar-brand-text").get_text().strip() == "テクニカルノート (検証済み)"
    labels = {tag["aria-label"] for tag in soup.select("[aria-label]")}
    assert "サイトのナビゲーションを開閉" in labels and "Toggle site navigation sidebar" not in labels
    # sphinx-notfound-page's words, and the kind index's groups (linked from each issue page).
    missing = BeautifulSoup((site / "ja/404.html").read_text(), "html.parser")
    assert missing.select_one("article h1").get_text() == "ページが見つかりません"
    kinds = BeautifulSoup((site / "ja/rn-kind.html").read_text(), "html.parser")
    assert kinds.select_one("tr.cap[id='cap-既知の問題']") is not None
    assert soup.select_one("a[href='../rn-kind.html#cap-既知の問題']") is not None


def test_both_languages_share_one_copy_of_the_static_files(site: Path) -> None:
    english = {p.relative_to(site).as_posix() for p in (site / "_static").rglob("*") if p.is_file()}
    japanese = {p.relative_to(site / "ja").as_posix()
                for p in (site / "ja" / "_static").rglob("*") if p.is_file()}
    # Only what differs by language stays in ja/_static (and the theme's Pygments styles,
    # which it rewrites after the pages are written, when they can no longer be linked).
    for name in sorted(japanese & english - {"_static/pygments.css"}):
        assert (site / "ja" / name).read_bytes() != (site / name).read_bytes(), name
    assert "_static/styles/furo.css" in english and "_static/styles/furo.css" not in japanese
    assert "_static/translations.js" in japanese
    # Every page's assets resolve, and an issue page loads no search script.
    for language in ("", "ja/"):
        soup = BeautifulSoup((site / language / "issues/kvm-migration-nx.html").read_text(),
                             "html.parser")
        here = (site / language / "issues")
        for tag in soup.find_all(["script", "link"]):
            linked = {"stylesheet", "icon"} & set(tag.get("rel") or [])
            url = str(tag.get("src") or (tag.get("href") if linked else "") or "")
            if url:
                assert (here / url.split("?")[0]).resolve().is_file(), url
        scripts = [str(tag["src"]) for tag in soup.find_all("script", src=True)]
        assert not any(name in src for src in scripts
                       for name in ("doctools", "searchtools", "sphinx_highlight", "translations"))
        # The scripts relnotes.js loads to highlight search words resolve, in their order.
        listed = json.loads(soup.select_one("script#relnotes-highlight-scripts").get_text())
        assert [url.split("?")[0].rsplit("/", 1)[1] for url in listed] == [
            "documentation_options.js", "doctools.js", *(["translations.js"] if language else []),
            "sphinx_highlight.js"]
        for url in listed:
            assert (here / url.split("?")[0]).resolve().is_file(), url


def test_the_evidences_english_words_are_marked_english_on_the_japanese_page(site: Path) -> None:
    # The evidence is on the issue's evidence page.
    soup = BeautifulSoup((site / "ja/issues/kvm-win2008-msi-amd-family16/evidence.html")
                         .read_text(), "html.parser")
    summary = soup.select_one("p.rn-snippet-summary")
    assert summary.strong.get_text() == "検証で確認すること: "  # the label is Japanese
    assert summary.select_one("span[lang=en]").get_text().startswith("Modern variant")
    run = soup.select_one("ul.rn-snippet-runs li span[lang=en]")
    assert run is not None and run.get_text().startswith("image ")
    # Not on the English page.
    english = BeautifulSoup((site / "issues/kvm-win2008-msi-amd-family16/evidence.html")
                            .read_text(), "html.parser")
    assert english.select("[lang]") == [] or all(
        tag.name == "html" or tag.get("hreflang") for tag in english.select("[lang]"))


def test_the_working_fix_leads_and_the_published_one_follows_folded(site: Path) -> None:
    for language in ("", "ja/"):
        soup = BeautifulSoup((site / language / "issues/kvm-win2008-msi-amd-family16.html")
                             .read_text(), "html.parser")
        snippets = [div["id"] for div in soup.select("div.rn-snippet")]
        assert snippets[0] == "snippet-kvm-kvm-win2008-msi-amd-family16-modern-cpu-family-16-xml"
        [folded] = soup.select("details.rn-as-published")
        assert not folded.has_attr("open")
        assert folded.summary.get_text().startswith("As published for RHEL 5")
        assert len(folded.select("div.rn-snippet")) == 6 == len(snippets) - 1
        # The failure's reason is said once: in the evidence of the snippet whose check it is
        # (its wording differs per version, so the line says where, not why), which is on the
        # issue's evidence page, one link away from that snippet's disclosure.
        reason = "-machine none"
        assert reason not in soup.get_text()
        evidence = BeautifulSoup((site / language / "issues/kvm-win2008-msi-amd-family16"
                                  / "evidence.html").read_text(), "html.parser")
        saying = [p for p in evidence.select("p") if reason in p.get_text()]
        assert len(saying) == 1
        part = saying[0].find_parent("section", class_="rn-evidence")
        assert part["id"].endswith("edit-guest-virsh")
        [link] = soup.select(f'div.rn-snippet[id="{part["id"]}"] details a.rn-evidence-link')
        assert link["href"] == f"kvm-win2008-msi-amd-family16/evidence.html#{part['id']}"
        lines = soup.select("p.rn-status-line")
        assert len(lines) == 7  # one line of status per snippet
        assert sum("as a step of" in line.get_text() or "のステップとして" in line.get_text()
                   or "の手順として" in line.get_text() for line in lines) == 5


def test_the_records_words_inside_japanese_sentences_are_marked_english(site: Path) -> None:
    def soup(path: str) -> BeautifulSoup:
        return BeautifulSoup((site / path).read_text(), "html.parser")

    # A reason in the line of status and in the compatibility table: the sentence is Japanese,
    # the reason (the record's words) says it is English.
    for path, selector in (("ja/issues/kvm-cdrom-passthrough.html", "p.rn-status-line"),
                           ("ja/compatibility.html", "p.rn-compat-sentence")):
        sentence = soup(path).select_one(selector)
        assert "検証不可: " in sentence.get_text()
        [reason] = sentence.select("span[lang=en]")
        assert reason.get_text().startswith("The issue is the guest's confusion")
    # The evidence's sentence of reasons worded per version (on the issue page, or on its
    # evidence page where the evidence has one).
    evidence = next(found for path in ("ja/issues/kvm-win2008-msi-amd-family16.html",
                                       "ja/issues/kvm-win2008-msi-amd-family16/evidence.html")
                    if (site / path).is_file()
                    and (found := soup(path).select_one("p.rn-compat-need")) is not None)
    assert evidence.get_text().startswith("libvirt 7.0 では既知の失敗: ")
    assert evidence.select_one("span[lang=en]").get_text().startswith("libvirt 7.0 probes every")
    # The as-published variant's summary is the page's words as written.
    page = soup("ja/issues/kvm-win2008-msi-amd-family16.html")
    summary = page.select_one("details.rn-as-published > summary")
    assert summary["lang"] == "en"
    # An untranslated title where another page names it; a translated one is not marked.
    links = {a.get_text(): a.get("lang") for a in soup("ja/compatibility.html").select("h2 > a")}
    assert links["Accessing an assigned CD-ROM drive from the host causes I/O errors in the guest"] == "en"
    assert links["デフォルトの rtl8139 仮想 NIC は一部のネットワークで性能が低下することがある"] is None
    # The English pages mark nothing.
    for path in ("issues/kvm-cdrom-passthrough.html", "compatibility.html"):
        assert soup(path).select("article [lang]") == []
