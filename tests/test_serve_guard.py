"""`serve` refuses a foreign Host (DNS rebinding) and a cross-origin state-changing request, with or without a token,
and tells the browser how to use every page (no inline script, no framing, no type sniffing)."""

from __future__ import annotations

from dataclasses import replace

from starlette.testclient import TestClient

from evals.web.app import create_app
from evals.web.guard import allowed_host, host_name
from tests.conftest_helpers import serve_settings


def client(tmp_path, **changes) -> TestClient:
    return TestClient(create_app(replace(serve_settings(tmp_path / "h.duckdb"), **changes)))


def test_a_foreign_host_is_refused_and_loopback_names_are_not(tmp_path):
    with client(tmp_path) as http:
        assert http.get("/", headers={"host": "evil.example"}).status_code == 400
        assert http.get("/", headers={"host": "evil.example:8000"}).status_code == 400
        for name in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "testserver"):
            assert http.get("/examples/q_ambiguity", headers={"host": name}).status_code == 200, name
    assert host_name("[::1]:8000") == "::1" and allowed_host("10.0.0.5", "0.0.0.0") and not allowed_host("evil", "10.0.0.5")


def test_a_cross_origin_post_is_refused_with_or_without_a_token(tmp_path):
    for token in (None, "s3cret"):
        with client(tmp_path, token=token) as http:
            auth = {"authorization": f"Bearer {token}"} if token else {}
            foreign = http.post("/practice", data={"name": "Sam"}, headers={**auth, "origin": "http://evil.example"})
            assert foreign.status_code == 403
            fetched = http.post("/practice", data={"name": "Sam"}, headers={**auth, "sec-fetch-site": "cross-site"})
            assert fetched.status_code == 403
            own = http.post(
                "/practice", data={"name": "Sam"}, headers={**auth, "origin": "http://testserver"}, follow_redirects=False
            )
            assert own.status_code == 303


def test_every_page_says_how_a_browser_may_use_it(tmp_path):
    with client(tmp_path) as http:
        for path in ("/", "/runs", "/examples/q_ambiguity", "/nothing-here"):
            headers = http.get(path).headers
            policy = headers["content-security-policy"]
            assert (
                "script-src 'self'" in policy
                and "frame-ancestors 'none'" in policy
                and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
            )
            assert headers["x-content-type-options"] == "nosniff"
        page = http.get("/")
        assert "<script>" not in page.text  # every script is a file of the app's own
        assert http.get("/static/practice.js").status_code == 200


def test_the_token_moves_into_a_cookie_and_the_other_query_values_stay_encoded(tmp_path):
    with client(tmp_path, token="s3cret") as http:
        moved = http.get("/history?token=s3cret&label=a%20b%26c", follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"] == "/history?label=a+b%26c"


def test_no_template_carries_an_inline_script():
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "evals" / "web" / "templates"
    assert all("<script>" not in t.read_text() for t in templates.glob("*.html"))


def test_an_opaque_origin_passes_only_when_the_browser_vouches_for_it():
    from evals.web.guard import _foreign

    assert _foreign("null", None, "127.0.0.1:8000") and not _foreign("null", "same-origin", "127.0.0.1:8000")
    assert not _foreign("http://127.0.0.1:8000", "same-origin", "127.0.0.1:8000")
    assert _foreign("http://127.0.0.1:9999", None, "127.0.0.1:8000") and not _foreign(None, None, "127.0.0.1:8000")
