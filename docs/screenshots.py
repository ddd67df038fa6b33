"""Make the README's screenshots: `serve` on the scripted models, in headless chromium.

Run from the repository root: `python docs/screenshots.py` (needs Debian's chromium). It writes
docs/practice.png (a practice turn) and docs/results.png (an interview beside its grades).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.test_serve_browser import STORY, Server  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = Server(Path(tmp) / "h.duckdb").start()
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        try:
            page.goto(server.url + "/")
            page.fill("input[name=name]", "Sam Rivera")
            page.click("text=Start the interview")
            page.fill("#answer", "Hi, I'm Sam: four years on search ranking, the last two leading the latency work.")
            page.click("button[value=answer]")
            page.fill("#answer", STORY)
            page.click("button[value=answer]")
            page.fill("#answer", "The PM wanted a bigger model; I ran a two-week A/B test of both and we shipped the cache.")
            page.screenshot(path=str(ROOT / "docs" / "practice.png"), full_page=True)
            while page.locator("#answer").count():
                if page.locator("button[value=none]").count():
                    page.click("button[value=none]")
                else:
                    page.fill("#answer", STORY)
                    page.click("button[value=answer]")
            page.goto(server.url + "/runs")
            run_id = page.locator("table a").first.inner_text()
            page.goto(f"{server.url}/runs/{run_id}/interviews")
            page.locator("table a").first.click()
            page.screenshot(path=str(ROOT / "docs" / "results.png"))
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    main()
