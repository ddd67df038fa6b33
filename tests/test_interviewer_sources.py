"""Any interviewer judged from its words: an external endpoint, a callable, the free prompt, and recorded interviews."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest
from typer.testing import CliRunner

from agents.interview.annotation import annotate
from evals.cli import app
from tests.conftest_helpers import LIBRARY, SCENARIO, register_script
from tests.three_question_interviewer import LINES, next_line

runner = CliRunner()


class _Chat(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 — the http.server hook's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"auth": self.headers.get("Authorization"), "messages": body["messages"]})
        reply = {
            "id": "chat-1",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "x"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": next_line(body["messages"])}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endpoint():
    _Chat.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Chat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    thread.join()


def others(model: str) -> list[str]:
    return [a for role in ("candidate", "grader", "judge") for a in (f"--{role}-model", model)]


def run_and_read(db, *args):
    result = runner.invoke(app, ["run", "--persona", "mei-defects", *args, "--db", str(db)])
    with duckdb.connect(str(db), read_only=True) as con:
        checks = dict(con.execute("select metric, value from checks where scope = 'overall'").fetchall())
        turns = con.execute("select speaker, segment, action, question_id, text from turns order by idx").fetchall()
        source = json.loads(con.execute("select result from interviews").fetchone()[0])["source"]
    return result, checks, turns, source


def test_an_external_endpoint_that_asks_three_questions_fails_question_count(tmp_path, endpoint, monkeypatch):
    monkeypatch.setenv("MY_INTERVIEWER_KEY", "sk-test")
    db = tmp_path / "h.duckdb"
    result, checks, turns, source = run_and_read(
        db, "--interviewer-endpoint", endpoint, "--interviewer-api-key-env", "MY_INTERVIEWER_KEY", *others(register_script())
    )
    assert result.exit_code == 1, result.output  # the conformance gate fails, truthfully
    assert source == "external"
    assert checks["conformance.question_count"] == 0 and checks["conformance"] == 0
    assert [q for s, seg, a, q, _ in turns if a == "ask" and seg == "deep_dives"] == [
        "q_collaboration",
        "q_ambiguity",
        "q_ownership",
    ]
    assert turns[-1][2] == "close" and turns[-1][1] == "wrap_up"
    # The endpoint got only the conversation: the candidate joining first, no prompt from the harness.
    first = _Chat.requests[0]
    assert first["messages"] == [{"role": "user", "content": f"Hi, I'm {LIBRARY.persona('mei-defects').display_name}."}]
    assert all(m["role"] in ("user", "assistant") for r in _Chat.requests for m in r["messages"])
    assert first["auth"] == "Bearer sk-test"


def test_the_same_interviewer_as_a_callable_gives_the_same_result(tmp_path, endpoint, monkeypatch):
    monkeypatch.setenv("MY_INTERVIEWER_KEY", "sk-test")
    model = register_script()
    over_http = run_and_read(
        tmp_path / "a.duckdb",
        "--interviewer-endpoint",
        endpoint,
        "--interviewer-api-key-env",
        "MY_INTERVIEWER_KEY",
        *others(model),
    )
    as_callable = run_and_read(
        tmp_path / "b.duckdb", "--interviewer-callable", "tests.three_question_interviewer:interview", *others(model)
    )
    assert as_callable[0].exit_code == over_http[0].exit_code == 1
    assert as_callable[1]["conformance.question_count"] == over_http[1]["conformance.question_count"] == 0
    assert as_callable[2] == over_http[2]


def test_an_endpoint_without_its_key_is_refused_before_the_run_naming_the_variable(tmp_path, endpoint, monkeypatch):
    monkeypatch.delenv("MISSING_KEY_VAR", raising=False)
    db = tmp_path / "h.duckdb"
    result = runner.invoke(
        app,
        [
            "run",
            "--persona",
            "mei-defects",
            "--interviewer-endpoint",
            endpoint,
            "--interviewer-api-key-env",
            "MISSING_KEY_VAR",
            *others(register_script()),
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 2 and "interviewer model openai/external-interviewer: MISSING_KEY_VAR is not set" in result.output
    assert not _Chat.requests and not db.exists()


def test_interviewer_flags_that_contradict_are_bad_input(tmp_path):
    for args in (
        ["--interviewer-source", "external"],
        ["--interviewer-source", "guided", "--interviewer-callable", "a.b:c"],
        ["--interviewer-source", "sideways"],
        ["--annotator", "vibes"],
    ):
        result = runner.invoke(app, ["run", "--persona", "mei-defects", *args, "--db", str(tmp_path / "h.duckdb")])
        assert result.exit_code == 2, (args, result.output)


def test_free_interviewer_runs_with_every_move_open_and_is_judged_by_annotation(tmp_path):
    db = tmp_path / "h.duckdb"
    result, checks, turns, source = run_and_read(
        db, "--interviewer-source", "free", *others(register_script()), "--interviewer-model", register_script()
    )
    assert result.exit_code in (0, 1), result.output
    assert source == "free" and turns and "conformance.question_count" in checks


async def _labels(transcript):
    return await annotate(transcript, SCENARIO)


def test_rules_annotate_the_three_question_interview():
    import asyncio

    from agents.records import Turn

    turns = []
    for line in LINES:
        turns.append(Turn(index=len(turns), speaker="interviewer", text=line, segment="?", minute=0, duration_minutes=0))
        turns.append(Turn(index=len(turns), speaker="candidate", text="An answer.", segment="?", minute=0, duration_minutes=0))
    labels = asyncio.run(_labels(turns[:-1]))
    assert [(labels[i].segment, labels[i].action, labels[i].question_id) for i in sorted(labels)] == [
        ("intro", "other", None),  # the opening asks for no story: introductions, not a main question
        ("deep_dives", "ask", "q_collaboration"),
        ("deep_dives", "ask", "q_ambiguity"),
        ("deep_dives", "ask", "q_ownership"),
        ("wrap_up", "close", None),
    ]
    assert {label.tier for label in labels.values()} == {"rules"}
