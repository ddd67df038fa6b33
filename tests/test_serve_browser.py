"""`interview-harness serve` in a real headless browser (Debian's chromium, driven by Playwright).

The server runs in its own process on loopback with every role on the scripted models; the test sits a
whole practice interview through the page, reloads and restarts the server half-way, and reads the result
in the results viewer.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
LAUNCHER = Path(__file__).with_name("scripted_cli.py")
MODEL = "scripted/script"
STORY = "I led the ranking launch and cut p95 latency from 900 ms to 300 ms, choosing caching instead of a bigger cluster."
SCRIPT = "<script>window.pwned = 1</script> and I measured a 12% lift."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`serve` on a loopback port, as a subprocess that can be stopped and started again on the same files."""

    def __init__(self, db: Path, *extra: str):
        self.db, self.extra, self.port = db, extra, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        argv = ["serve", "--port", str(self.port), "--interviewer-model", MODEL, "--grader-model", MODEL, "--db", str(self.db)]
        self.process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), *argv, *self.extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.process.stdout.read().decode() if self.process.stdout else ''}")
            try:
                urllib.request.urlopen(self.url + "/runs", timeout=2)
                return self
            except urllib.error.HTTPError:
                return self  # it answers (a token-guarded server answers 401)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("serve did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("the browser tests need Debian's chromium: apt-get install -y chromium (.ci/run installs it)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "h.duckdb").start()
    yield running
    running.stop()


def _interviewer_now(page) -> str:
    return page.locator(".turn.interviewer .text").last.inner_text()


def test_a_whole_practice_interview_in_the_browser_survives_reload_and_restart(browser, server):
    page = browser.new_page()
    page.goto(server.url + "/")
    page.fill("input[name=name]", "Sam Rivera")
    page.click("text=Start the interview")
    page.wait_for_url("**/practice/p-*")
    session_url = page.url
    assert "Introductions" in page.locator("h1").inner_text()
    page.fill("#answer", "Hi, I'm Sam, four years on search ranking.")
    page.click("button[value=answer]")
    page.fill("#answer", SCRIPT)
    page.click("button[value=answer]")

    # The answer with a script tag is shown as text, and never runs.
    assert SCRIPT in page.locator(".turn.candidate .text").last.inner_text()
    assert page.evaluate("window.pwned === undefined")
    assert "Your answer:" in page.locator("#last-note").inner_text()

    # An answer over the limit is refused with a message, and kept in the box.
    waiting = _interviewer_now(page)
    overlong = "word " * 1300
    page.fill("#answer", overlong)
    page.click("button[value=answer]")
    assert "limit is 1,200" in page.locator("#message").inner_text()
    assert page.input_value("#answer").strip() == overlong.strip()
    assert _interviewer_now(page) == waiting

    page.reload()  # a refresh shows the same turn, nothing answered twice
    assert _interviewer_now(page) == waiting
    server.stop()
    server.start()  # and so does a server restart
    page.goto(session_url)
    assert _interviewer_now(page) == waiting

    asked = False
    while page.locator("#answer").count():
        if page.locator("button[value=ask]").count():
            if not asked:
                page.fill("#answer", "What does success look like in the first six months?")
                page.click("button[value=ask]")
                asked = True
            else:
                page.click("button[value=none]")
        else:
            page.fill("#answer", STORY)
            page.click("button[value=answer]")
    assert asked
    assert page.locator("h1").inner_text() == "Your feedback"
    quotes = page.locator(".competency blockquote").all_inner_texts()
    assert quotes and all(q.strip("“” ").split("”")[0] in (STORY + " " + SCRIPT) for q in quotes)
    assert "hire bar" in page.locator("#hire").inner_text().lower()
    page.click("text=An answer one level up")
    assert page.locator("section[id^=level-]").count() == 5

    # The results viewer: the run list, the report, and the transcript beside its grades with the quotes marked.
    page.goto(server.url + "/runs")
    run_link = page.locator("table a").first
    run_id = run_link.inner_text()
    run_link.click()
    assert run_id in page.title()
    page.goto(f"{server.url}/runs/{run_id}/interviews")
    page.locator("table a").first.click()
    assert page.locator("#transcript mark").count() >= 1
    assert SCRIPT in page.locator("#transcript").inner_text()
    assert page.evaluate("window.pwned === undefined")


def test_a_token_guards_every_request(browser, tmp_path):
    guarded = Server(tmp_path / "h.duckdb", "--token", "s3cret").start()
    try:
        page = browser.new_page()
        refused = page.goto(guarded.url + "/runs")
        assert refused.status == 401
        allowed = page.goto(guarded.url + "/runs?token=s3cret")
        assert allowed.status == 200 and "token" not in page.url
        assert page.goto(guarded.url + "/").status == 200  # the cookie carries it from here on
        wrong = urllib.request.Request(guarded.url + "/", headers={"Authorization": "Bearer nope"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(wrong)
        assert err.value.code == 401
        right = urllib.request.Request(guarded.url + "/", headers={"Authorization": "Bearer s3cret"})
        assert urllib.request.urlopen(right).status == 200
    finally:
        guarded.stop()


@pytest.fixture
def stored_run(tmp_path):
    """A run of two interviews on the scripted models, made before the browser starts (Playwright's sync API holds an
    event loop on this thread, and the harness runs its own)."""
    from tests.conftest_helpers import run_harness
    from tests.scripted_agents import InterviewScript

    db = tmp_path / "h.duckdb"
    return db, run_harness(db, InterviewScript(), "mei-defects", "grace-copilot")


def test_a_person_rates_an_interview_blind_in_the_browser_and_the_report_shows_it(stored_run, browser):
    db, run_id = stored_run
    rating = Server(db).start()
    try:
        page = browser.new_page()
        page.goto(f"{rating.url}/runs/{run_id}/rate")
        page.fill("input[name=rater]", "Ann Lee")
        page.click("text=Continue")
        page.click("text=interview 1")
        assert page.locator("h1").inner_text().startswith("Interview 1 of 2")
        body = page.locator("body").inner_text()
        assert "mei-defects" not in body and "grace-copilot" not in body and "Hire" not in body  # blind
        for competency in ("collaboration", "ambiguity", "customer_impact", "responsible_ai", "ownership", "growth_mindset"):
            page.select_option(f"select[name={competency}]", "3")
        page.check("input[name=flag_fixed_mindset]")
        page.click("text=Save and go to the next")
        page.wait_for_url("**/rate/2?rater=Ann%20Lee")
        page.goto(f"{rating.url}/runs/{run_id}/rate?rater=Ann%20Lee")
        assert page.locator("table td", has_text="rated").count() == 1
        page.goto(f"{rating.url}/runs/{run_id}")
        humans = page.locator("#humans").inner_text()
        assert "Ann Lee" in humans and "Krippendorff" in humans
    finally:
        rating.stop()


@pytest.fixture
def nightly_runs(tmp_path):
    """Three runs of one label with three graders, made before the browser starts."""
    from tests.test_history import three_runs

    db = tmp_path / "h.duckdb"
    return db, three_runs(db)


def test_the_history_chart_shows_on_its_page_and_in_the_report(nightly_runs, browser):
    db, ids = nightly_runs
    viewer = Server(db).start()
    try:
        page = browser.new_page()
        page.goto(f"{viewer.url}/runs")
        page.click("nav >> text=History")
        page.fill("input[name=label]", "nightly")
        page.click("text=Show")
        chart = page.locator("img.trend")
        assert chart.count() == 1 and page.evaluate("document.querySelector('img.trend').naturalWidth") > 0
        assert all(page.locator("table", has_text=i).count() for i in ids)
        page.goto(f"{viewer.url}/runs/{ids[-1]}")
        assert page.locator("#history img.trend").count() == 1
    finally:
        viewer.stop()
