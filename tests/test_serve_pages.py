"""The `serve` app's pages in-process (Starlette's test client): results viewer, examples, bad requests, host rules."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from agents.models.providers.litellm_provider import host_is_loopback
from evals.cli import app as cli
from evals.web.app import create_app
from tests.conftest_helpers import run_harness, serve_settings
from tests.scripted_agents import InterviewScript


@pytest.fixture
def client(tmp_path):
    serve = serve_settings(tmp_path / "h.duckdb")
    with TestClient(create_app(serve)) as http:
        yield http


def test_compare_pages_two_runs_and_the_interview_marks_only_quotes_found(client, tmp_path):
    base = run_harness(tmp_path / "h.duckdb", InterviewScript(), "mei-defects")
    new = run_harness(tmp_path / "h.duckdb", InterviewScript(grader="lenient"), "mei-defects")
    listed = client.get("/runs")
    assert listed.status_code == 200 and base in listed.text and new in listed.text
    compared = client.get(f"/compare?base={base}&new={new}")
    assert compared.status_code == 200
    assert f"Compare run {base} (base) with run {new} (new)" in compared.text and "<table>" in compared.text
    page = client.get(f"/runs/{new}/interviews/mei-defects/0")
    assert page.status_code == 200 and "<mark>" in page.text


def test_unknown_things_are_404_pages_not_tracebacks(client):
    assert client.get("/runs/nothere").status_code == 404
    assert client.get("/practice/p-00000000").status_code == 404
    assert client.get("/examples/q_nope").status_code == 404
    assert client.post("/practice/p-00000000/answer", data={"answer": "hi"}).status_code == 409


def test_examples_page_anchors_every_level(client):
    page = client.get("/examples/q_ambiguity")
    assert page.status_code == 200
    assert all(f'id="level-{n}"' in page.text for n in range(1, 6))


def test_a_bad_start_form_is_refused_with_a_message(client):
    refused = client.post("/practice", data={"name": "", "years": "many"}, follow_redirects=False)
    assert refused.status_code == 400 and "Check the form" in refused.text


def test_only_loopback_binds_without_a_token(tmp_path):
    assert host_is_loopback("127.0.0.1") and host_is_loopback("::1") and host_is_loopback("localhost")
    assert not host_is_loopback("0.0.0.0") and not host_is_loopback("192.168.1.4") and not host_is_loopback("example.org")
    refused = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "h.duckdb")])
    assert refused.exit_code == 2 and "--token" in refused.output
