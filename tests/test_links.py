"""Every internal link of the built site, in every language, reaches a page and an anchor on it."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.built_site import build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("links"))


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
    assert "<loc>https://technotes.example.org/ja/issues/kvm-migration-nx.html</loc>" in (
        site / "ja" / "sitemap.xml").read_text()
    for language, prefix in (("", ""), ("ja/", "ja/")):
        soup = BeautifulSoup((site / language / "issues/kvm-migration-nx.html").read_text(), "html.parser")
        url = f"https://technotes.example.org/{prefix}issues/kvm-migration-nx.html"
        assert soup.find("link", rel="canonical")["href"] == url
        assert soup.find("meta", property="og:url")["content"] == url
        assert soup.find("meta", property="og:title")["content"]
    not_found = BeautifulSoup((site / "ja" / "404.html").read_text(), "html.parser")
    assert all(link["href"].startswith("/ja/") for link in not_found.find_all("link", rel="stylesheet"))
