"""What a built page loads, read from the files (no browser): its HTML, the stylesheets, scripts,
icons and images it links, and what those stylesheets load in turn; and which icons of its
inline sprite it uses."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

#: The reader's pages' target: an issue page with everything it loads, uncompressed.
LIMIT_BYTES = 120 * 1000

_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def _local(site: Path, base: str, url: str) -> str | None:
    """``url`` (as written in the file at ``base``) as a path from the site root, or None when
    it is not a file of the site (another host, a data: URI, a fragment)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        return parts.path.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(parts.path)))


def loaded_files(site: Path, page: str) -> dict[str, int]:
    """Every file the page loads when opened, by its path from the site root: bytes each.
    A missing file is an error (the page would not load as built)."""
    found: dict[str, int] = {}
    waiting = [page]
    while waiting:
        relative = waiting.pop()
        if relative in found:
            continue
        path = site / relative
        if not path.is_file():
            raise FileNotFoundError(f"{page} loads {relative}, which the build does not have")
        data = path.read_bytes()
        found[relative] = len(data)
        text = data.decode("utf-8", errors="replace")
        if relative.endswith(".html"):
            soup = BeautifulSoup(text, "html.parser")
            urls = [str(tag["href"]) for tag in soup.find_all("link", href=True)
                    if {"stylesheet", "icon"} & set(tag.get("rel") or [])]
            urls += [str(tag["src"]) for tag in soup.find_all(["script", "img"], src=True)]
        elif relative.endswith(".css"):
            urls = [match.group(1) or match.group(2) for match in _CSS_URL.finditer(text)]
        else:
            urls = []
        for url in urls:
            local = _local(site, relative, url)
            if local is not None:
                waiting.append(local)
    return found


def page_weight(site: Path, page: str) -> int:
    return sum(loaded_files(site, page).values())


def over_the_limit(site: Path, pages: list[str], limit: int = LIMIT_BYTES) -> list[str]:
    """``page: bytes (what it loads)`` for each page heavier than ``limit``."""
    over = []
    for page in pages:
        files = loaded_files(site, page)
        total = sum(files.values())
        if total > limit:
            parts = ", ".join(f"{name} {size:,}" for name, size in
                              sorted(files.items(), key=lambda item: -item[1]))
            over.append(f"{page}: {total:,} B > {limit:,} B ({parts})")
    return over


def icon_problems(html: str) -> list[str]:
    """Icons the page uses that its sprite lacks, and icons in its sprite it does not use."""
    soup = BeautifulSoup(html, "html.parser")
    used = {str(tag.get("href") or tag.get("xlink:href") or "") for tag in soup.find_all("use")}
    symbols = {f"#{tag['id']}" for tag in soup.find_all("symbol", id=True)}
    return ([f"uses {name}, which is not in the sprite" for name in sorted(used - symbols)]
            + [f"carries {name}, which it does not use" for name in sorted(symbols - used)])
