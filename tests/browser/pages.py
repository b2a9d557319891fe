"""Which pages of the built site the browser tests visit."""

from __future__ import annotations

from pathlib import Path

# One page of each type the site has, as URL paths from the site root.
PAGE_TYPES = {
    "home": "index.html",
    "overview": "overview.html",
    "compatibility": "compatibility.html",
    "issue": "issues/kvm-win2008-msi-amd-family16.html",
    "evidence": "issues/kvm-win2008-msi-amd-family16/evidence.html",
    "component": "components/kvm.html",
    "index": "rn-bz.html",
    "snippets": "snippets.html",
    "search": "search.html?q=rtl8139",
    "redirect": "bz/654208.html",
    "not-found": "no/such/page.html",
    "translated": "ja/issues/kvm-rtl8139-performance.html",
    "untranslated": "ja/issues/kvm-migration-nx.html",
}


def every_page(site: Path) -> list[str]:
    """Every HTML page the build wrote, in every language, as URL paths."""
    return sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                  if "_static" not in path.parts)
