"""Page weight in the browser: every issue page with everything it loads, uncompressed.

Builds the real site (English and Japanese, as ``make html``) from a copy of its sources with
the browser tests' hand-made ledger (every snippet recorded as its spec declares, so the pages
carry a verified site's lines of status and evidence), serves it on 127.0.0.1, opens each issue
page in Debian's Chromium through Playwright, and adds up the decoded body of every response
the page needed (HTML, CSS, JavaScript, fonts, images) until the network is idle. ``--site``
weighs a site already built (e.g. ``_build/html`` with a real ledger).

``--baseline REF`` also builds the site as the commit ``REF`` has it (its sources, its
extension and its hand-made ledger, exported with ``git archive``) and weighs both in the same
run, side by side. The last column is the same page weighed from the built files alone (its
HTML and every file it links, as ``tests/test_page_weight.py`` checks it).

Usage (from the repository root, with a venv that has playwright)::

    PYTHONPATH=_ext python benchmarks/bench_page_weight.py [--site _build/html] [--baseline main]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.built_site import build_site, verified_project  # noqa: E402 - the root is on the path
from tests.page_weight import page_weight  # noqa: E402

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


def baseline_site(ref: str) -> Path:
    """The site as commit ``ref`` builds it, with its own extension and hand-made ledger."""
    out = Path(tempfile.mkdtemp(prefix="page-weight-baseline-"))
    tree = out / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    env = {**os.environ, "PYTHONPATH": f"{tree / '_ext'}{os.pathsep}{tree}"}
    script = ("import sys; from pathlib import Path; "
              "from tests.built_site import build_site, verified_project; "
              "out = Path(sys.argv[1]); print(build_site(out, verified_project(out)))")
    (out / "build").mkdir()
    done = subprocess.run([sys.executable, "-c", script, str(out / "build")], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the site as {ref} has it did not build:\n{done.stderr}")
    return Path(done.stdout.strip().splitlines()[-1])


def weigh_site(browser: Any, site: Path) -> dict[str, tuple[int, int]]:
    """(bytes, requests) of every issue page of ``site``, in every language."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    weights = {}
    for path in sorted(site.glob("issues/*.html")) + sorted(site.glob("ja/issues/*.html")):
        # A fresh context each time: nothing comes from the cache.
        context = browser.new_context()
        page = context.new_page()
        relative = path.relative_to(site).as_posix()
        weights[relative] = weigh(page, base + relative)
        context.close()
    server.shutdown()
    server.server_close()
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one now)")
    parser.add_argument("--baseline", metavar="REF", help="also weigh the site as REF builds it")
    args = parser.parse_args(argv)
    if args.site is None:
        out = Path(tempfile.mkdtemp(prefix="page-weight-"))
        site = build_site(out, verified_project(out))
    else:
        site = args.site
    before_site = baseline_site(args.baseline) if args.baseline else None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        after = weigh_site(browser, site)
        before = weigh_site(browser, before_site) if before_site is not None else {}
        browser.close()
    heading = f"{'bytes':>9}  {'requests':>8}  {'files':>9}  page"
    if before:
        heading = f"{'before':>9}  {'requests':>8}  " + heading + "  (after / before)"
    print(heading)
    for relative, (size, requests) in sorted(after.items(), key=lambda item: -item[1][0]):
        files = page_weight(site, relative)
        row = f"{size:>9,}  {requests:>8}  {files:>9,}  {relative}"
        if relative in before:
            old, old_requests = before[relative]
            row = f"{old:>9,}  {old_requests:>8}  " + row + f"  ({size / old:.2f})"
        print(row)
    relative, (size, requests) = max(after.items(), key=lambda item: item[1][0])
    verdict = "MET" if size <= TARGET_BYTES else "MISSED"
    print(f"\nheaviest: {relative} {size:,} B with {requests} requests "
          f"(target <= {TARGET_BYTES:,} B) {verdict}")
    if before:
        old_relative, (old_size, old_requests) = max(before.items(), key=lambda item: item[1][0])
        print(f"heaviest before: {old_relative} {old_size:,} B with {old_requests} requests; "
              f"after / before {size / old_size:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
