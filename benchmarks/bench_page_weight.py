"""Page weight in the browser: every issue page with everything it loads, uncompressed.

Builds the real site (English and Japanese, as ``make html``) from a copy of its sources with
the browser tests' hand-made ledger (every snippet recorded as its spec declares, so the pages
carry a verified site's lines of status and evidence), serves it on 127.0.0.1, opens each issue
page in Debian's Chromium through Playwright, and adds up the decoded body of every response
the page needed (HTML, CSS, JavaScript, fonts, images) until the network is idle. ``--site``
weighs a site already built (e.g. ``_build/html`` with a real ledger).

Usage (from the repository root, with a venv that has playwright)::

    PYTHONPATH=_ext python benchmarks/bench_page_weight.py [--site _build/html]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.built_site import build_site, verified_project  # noqa: E402 - the root is on the path

TARGET_BYTES = 120 * 1000


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def weigh(page: Any, url: str) -> tuple[int, int]:
    """(bytes, requests) of ``url`` with everything it loads, bodies decoded."""
    responses: list[Any] = []

    def collect(response: Any) -> None:
        responses.append(response)

    page.on("response", collect)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("response", collect)
    total = 0
    for response in responses:
        try:
            total += len(response.body())
        except Exception:  # a redirect has no body
            continue
    return total, len(responses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    args = parser.parse_args(argv)
    if args.site is None:
        out = Path(tempfile.mkdtemp(prefix="page-weight-"))
        site = build_site(out, verified_project(out))
    else:
        site = args.site
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for path in sorted(site.glob("issues/*.html")) + sorted(site.glob("ja/issues/*.html")):
            # A fresh context each time: nothing comes from the cache.
            context = browser.new_context()
            page = context.new_page()
            relative = path.relative_to(site).as_posix()
            size, requests = weigh(page, base + relative)
            rows.append((size, requests, relative))
            context.close()
        browser.close()
    server.shutdown()
    print(f"{'bytes':>9}  {'requests':>8}  page")
    for size, requests, relative in sorted(rows, reverse=True):
        print(f"{size:>9,}  {requests:>8}  {relative}")
    heaviest = max(rows)
    verdict = "MET" if heaviest[0] <= TARGET_BYTES else "MISSED"
    print(f"\nheaviest: {heaviest[2]} {heaviest[0]:,} B with {heaviest[1]} requests "
          f"(target <= {TARGET_BYTES:,} B) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
