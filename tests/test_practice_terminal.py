"""`interview-harness practice` driven through a pseudo-terminal, as a person types: answer, quit, resume, finish."""

from __future__ import annotations

import re
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from evals.store.database import Store

pytestmark = pytest.mark.slow
LAUNCHER = Path(__file__).with_name("scripted_cli.py")
ANSWER = "I led the launch and cut p95 latency from 900 ms to 300 ms by choosing caching over a bigger cluster."
PROMPT = "\r\n> "


def _spawn(tmp_path: Path, *args: str, latency: float = 0.0) -> pexpect.spawn:
    model = "scripted/script"
    argv = ["practice", "--interviewer-model", model, "--grader-model", model, "--db", str(tmp_path / "h.duckdb"), *args]
    env = {"TERM": "dumb", "SCRIPTED_LATENCY": str(latency)}
    return pexpect.spawn(sys.executable, [str(LAUNCHER), *argv], encoding="utf-8", timeout=60, env=env)


def _answer(child: pexpect.spawn, text: str) -> None:
    child.sendline(text)
    child.sendline("")  # a blank line sends it


def _interviewer_says(child: pexpect.spawn) -> str:
    child.expect(r"Interviewer: (.*?)\r\n")
    return child.match.group(1)


def test_a_person_answers_quits_and_resumes_to_feedback_that_quotes_them(tmp_path):
    child = _spawn(tmp_path, "--name", "Sam Rivera")
    child.expect(r"Session (p-[0-9a-f]{8})\.")
    session = child.match.group(1)
    _interviewer_says(child)
    child.expect_exact("> ")
    _answer(child, "Hi, I'm Sam, four years on search ranking.")
    asked = _interviewer_says(child)
    child.expect_exact("> ")
    _answer(child, ANSWER)
    child.expect(r"This story so far: \d+\.\d min of the 5-9 min")
    waiting = _interviewer_says(child)
    assert waiting != asked
    child.expect_exact("> ")
    child.sendline("/quit")
    child.expect_exact(f"Continue it with: interview-harness practice --resume {session}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # Ctrl-C while typing also keeps the session.
    child = _spawn(tmp_path, "--resume", session)
    child.expect_exact(f"Resuming practice session {session} for Sam Rivera.")
    assert _interviewer_says(child) == waiting  # the question that was waiting, asked again, not a new one
    child.expect_exact("> ")
    child.send("half an answer")
    child.sendintr()
    child.expect_exact(f"--resume {session}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = _spawn(tmp_path, "--resume", session)
    assert _interviewer_says(child) == waiting
    while True:
        found = child.expect([re.escape("(Ask a question, or send an empty answer"), r"Your feedback", "> "])
        if found == 0:
            child.expect_exact("> ")
            child.sendline("")  # no questions
        elif found == 1:
            break
        else:
            _answer(child, ANSWER)
    child.expect_exact("“I led the launch and cut p95 latency")
    child.expect(r"Stored as run ([0-9a-f]{12}) \(source practice\)")
    run_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with Store.open(tmp_path / "h.duckdb") as store:
        (result,) = store.load_results(run_id)
    said = [t.text for t in result.transcript if t.speaker == "candidate"]
    assert said[0] == "Hi, I'm Sam, four years on search ranking." and said[1] == ANSWER
    assert "half an answer" not in " ".join(said)


def test_a_crash_mid_reply_keeps_the_answer_and_resume_carries_on(tmp_path):
    slow = _spawn(tmp_path, "--name", "Sam Rivera", latency=3.0)
    slow.expect(r"Session (p-[0-9a-f]{8})\.", timeout=60)
    session = slow.match.group(1)
    _interviewer_says(slow)
    slow.expect_exact("> ")
    _answer(slow, "Hi, I'm Sam, four years on search ranking.")
    slow.expect_exact("Your answer:")
    time.sleep(1.0)  # inside the interviewer's 3-second reply
    slow.kill(signal.SIGKILL)
    slow.close()

    child = _spawn(tmp_path, "--resume", session)
    question = _interviewer_says(child)
    assert question.startswith("Tell me about a time")  # the step ran again with the kept answer: the first question
    child.expect_exact("> ")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
