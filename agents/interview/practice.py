"""A person practising the interview: the guided interviewer asks, the person answers between graph steps.

The interview graph runs one exchange per step with the candidate's turn as a LangGraph interrupt, and every
step is checkpointed in a SQLite file, so a session survives quitting, a crash or a server restart and
continues with `resume`. Beside the checkpoints the file keeps one row per session: who practises, for which
scenario, and the model calls made so far.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from agents.interview.format_rules import FormatState, segment_elapsed
from agents.interview.graph import InterviewContext, PersonReply, build_graph, initial_state, interview_nodes, recursion_limit
from agents.models.gateway import Gateway
from agents.prompting import PromptSet
from agents.records import CallRecord, Grade, InterviewResult, Turn, identity
from personas.model import Background, CandidateBrief, CommunicationStyle
from scenarios.model import Scenario, Segment
from scenarios.strict import StrictModel

SESSIONS_FILE = "practice.sqlite"
# Graph steps one answer can take: the exchange, a second interviewer turn (after answering a question the
# person did not follow with another), the grader.
PERSON_STEPS = 4
# The longest answer taken (8 minutes at speaking pace, beyond any story the guidance asks for); a longer one is
# refused with the text handed back, never cut or dropped.
MAX_ANSWER_WORDS = 1200
# What a person "says" when they end their questions without asking one.
NO_MORE_QUESTIONS = "No more questions from me, thank you."
# The checkpoints hold these of our types; anything else in a checkpoint file is refused, not imported.
_CHECKPOINT_TYPES = [
    ("agents.records", name) for name in ("Turn", "TurnAnnotation", "Grade", "CompetencyGrade", "RedFlagFinding", "Feedback")
]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS practice_sessions (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    seed INTEGER NOT NULL,
    created_at REAL NOT NULL,
    calls TEXT NOT NULL DEFAULT '[]',
    run_id TEXT,
    pending TEXT
)
"""


class SessionError(Exception):
    """A practice session cannot be opened or continued as asked; the message says why."""


class AnswerTooLong(SessionError):
    """An answer over MAX_ANSWER_WORDS; nothing was sent."""


class Profile(StrictModel):
    """Who practises, as the interviewer may know them: a name and a background to tailor questions to."""

    name: str = Field(min_length=1, max_length=80, description="The name the person goes by.")
    pronouns: str | None = Field(default=None, max_length=40, description="Pronouns, if the person gives them.")
    current_role: str = Field(default="AI engineer", max_length=120, description="The person's current job title.")
    years_experience: int = Field(default=3, ge=0, le=60, description="Years of professional experience.")
    domain: str = Field(default="machine learning", max_length=120, description="The person's product or technical domain.")

    def brief(self) -> CandidateBrief:
        """The person as the interviewer's prompt reads a candidate: name and background; no stories, since no
        candidate model plays them."""
        return CandidateBrief(
            display_name=self.name,
            pronouns=self.pronouns or "",
            background=Background(
                current_role=self.current_role,
                seniority="mid",
                years_experience=self.years_experience,
                domain=self.domain,
                team_context="",
            ),
            story_bank=[],
            communication_style=CommunicationStyle(
                verbosity="balanced", hedging="medium", ownership_language="mixed", blame_tendency="none", notes=""
            ),
            behaviour=[],
            candidate_questions=[],
            adversarial=None,
        )


@dataclass(frozen=True)
class AnswerRequest:
    """The interviewer has spoken and waits for the person's answer."""

    turn: Turn
    segment: Segment
    minute: float
    segment_minutes_left: float
    story_minutes: float

    @property
    def asks_for_questions(self) -> bool:
        """In the candidate-questions segment the person asks (or says they have no more questions)."""
        return self.segment.id == "candidate_questions"


@dataclass(frozen=True)
class Finished:
    """The interview is over and graded."""

    transcript: list[Turn]
    grade: Grade | None
    stop_reason: str | None


@dataclass(frozen=True)
class Stalled:
    """The last answer is kept, but the model call after it failed: `resume` runs that step again."""

    error: str


Progress = AnswerRequest | Finished | Stalled


def answer_request(scenario: Scenario, values: dict[str, Any]) -> AnswerRequest:
    """What the person is answering, from the graph's state at the interrupt."""
    fs = FormatState(**{k: values[k] for k in ("transcript", "segment", "minute", "segment_start", "asked") if k in values})
    segment = scenario.segment(fs.segment)
    story: list[Turn] = []
    if fs.segment == "deep_dives":
        for turn in reversed(fs.transcript):
            if turn.speaker == "interviewer" and turn.action == "ask":
                break
            if turn.speaker == "candidate":
                story.append(turn)
    return AnswerRequest(
        turn=fs.transcript[-1],
        segment=segment,
        minute=fs.minute,
        segment_minutes_left=max(0.0, segment.max_minutes - segment_elapsed(fs, fs.segment)),
        story_minutes=sum(t.duration_minutes for t in story),
    )


class PracticeBook:
    """The sessions in one SQLite file: their checkpoints and who each one is for."""

    def __init__(self, saver: Any, path: Path):
        self.saver = saver
        self.path = path
        self.graph = build_graph(checkpointer=saver)

    @property
    def conn(self) -> Any:
        return self.saver.conn

    async def create(self, scenario: Scenario, profile: Profile, seed: int | None = None) -> str:
        """A new session's id."""
        session_id = "p-" + secrets.token_hex(4)
        await self.conn.execute(
            "INSERT INTO practice_sessions (id, scenario_id, profile, seed, created_at) VALUES (?, ?, ?, ?, ?)",
            (session_id, scenario.id, profile.model_dump_json(), secrets.randbelow(2**31) if seed is None else seed, time.time()),
        )
        await self.conn.commit()
        return session_id

    async def info(self, session_id: str) -> dict[str, Any]:
        """The session's row; SessionError when there is none."""
        async with self.conn.execute("SELECT * FROM practice_sessions WHERE id = ?", (session_id,)) as cursor:
            row = await cursor.fetchone()
            names = [d[0] for d in cursor.description]
        if row is None:
            raise SessionError(f"no practice session {session_id!r} in {self.path}")
        return dict(zip(names, row))

    async def sessions(self) -> list[dict[str, Any]]:
        """Every session, newest first."""
        async with self.conn.execute("SELECT * FROM practice_sessions ORDER BY created_at DESC") as cursor:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in await cursor.fetchall()]

    async def add_calls(self, session_id: str, calls: list[CallRecord]) -> None:
        if not calls:
            return
        info = await self.info(session_id)
        kept = json.loads(info["calls"]) + [c.model_dump() for c in calls]
        await self.conn.execute("UPDATE practice_sessions SET calls = ? WHERE id = ?", (json.dumps(kept), session_id))
        await self.conn.commit()

    async def pending(self, session_id: str) -> dict[str, Any] | None:
        """The answer being replied to, saved before the step that takes it."""
        saved = (await self.info(session_id))["pending"]
        return json.loads(saved) if saved else None

    async def set_pending(self, session_id: str, answer: dict[str, Any] | None) -> None:
        await self.conn.execute(
            "UPDATE practice_sessions SET pending = ? WHERE id = ?", (json.dumps(answer) if answer else None, session_id)
        )
        await self.conn.commit()

    async def mark_stored(self, session_id: str, run_id: str) -> None:
        await self.conn.execute("UPDATE practice_sessions SET run_id = ? WHERE id = ?", (run_id, session_id))
        await self.conn.commit()

    async def forget(self, session_id: str) -> None:
        """Delete the session and its checkpoints (`--no-store` keeps nothing once the feedback is shown)."""
        await self.saver.adelete_thread(session_id)
        await self.conn.execute("DELETE FROM practice_sessions WHERE id = ?", (session_id,))
        await self.conn.commit()


@asynccontextmanager
async def open_book(path: Path) -> AsyncIterator[PracticeBook]:
    """The practice sessions file at `path`, created when missing."""
    import aiosqlite
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path))
    try:
        await conn.execute(_SCHEMA)
        await conn.commit()
        saver = AsyncSqliteSaver(conn, serde=JsonPlusSerializer(allowed_msgpack_modules=_CHECKPOINT_TYPES))
        await saver.setup()
        yield PracticeBook(saver, path)
    finally:
        await conn.close()


class PracticeSession:
    """One person's interview: start it, answer it turn by turn, and read it back, across processes."""

    def __init__(
        self,
        book: PracticeBook,
        session_id: str,
        scenario: Scenario,
        profile: Profile,
        gateway: Gateway,
        prompts: PromptSet,
        seed: int,
    ):
        self.book, self.id, self.scenario, self.profile = book, session_id, scenario, profile
        self.gateway, self.prompts, self.seed = gateway, prompts, seed

    @classmethod
    async def open(
        cls, book: PracticeBook, session_id: str, scenarios: dict[str, Scenario], gateway: Gateway, prompts: PromptSet
    ) -> PracticeSession:
        """A stored session, ready to continue; SessionError when it does not exist or its scenario is gone."""
        info = await book.info(session_id)
        scenario = scenarios.get(info["scenario_id"])
        if scenario is None:
            raise SessionError(f"session {session_id} is for scenario {info['scenario_id']!r}, which is no longer in the library")
        return cls(book, session_id, scenario, Profile.model_validate_json(info["profile"]), gateway, prompts, info["seed"])

    def _config(self, client: Any) -> dict[str, Any]:
        ctx = InterviewContext(self.scenario, self.profile.brief(), client, self.prompts, step="exchange", person=True)
        return {
            "recursion_limit": recursion_limit(PERSON_STEPS),
            "configurable": {"thread_id": self.id, "nodes": interview_nodes(ctx)},
        }

    async def _step(self, payload: Any) -> Progress:
        client = self.gateway.session(seed=self.seed)
        try:
            await self.book.graph.ainvoke(payload, config=self._config(client))
        finally:
            await self.book.add_calls(self.id, client.calls)
        return await self.progress()

    async def start(self) -> Progress:
        """The interviewer's opening, for a session not started yet."""
        if await self._snapshot_values():
            raise SessionError(f"session {self.id} has already started; resume it")
        return await self._step(initial_state())

    async def resume(self) -> Progress:
        """Where the session stopped. A step whose model call failed is run again; an answer the process died
        while replying to (saved, but never checkpointed) is given again."""
        current = await self.progress()
        if isinstance(current, Stalled):
            progress = await self._step(None)
            await self.book.set_pending(self.id, None)
            return progress
        pending = await self.book.pending(self.id)
        if pending is not None and isinstance(current, AnswerRequest) and pending["answer_to"] == current.turn.index:
            return await self.answer(pending["text"], asks_question=pending["asks_question"])
        if pending is not None:  # its step was checkpointed before the process ended: nothing to give again
            await self.book.set_pending(self.id, None)
        return current

    async def answer(self, text: str, *, asks_question: bool = False) -> Progress:
        """Give the person's answer; the interviewer's next turn (or the graded end) comes back. The answer is saved
        before any model call: a failed call raises ModelCallError and a crash ends the process, and `resume`
        carries on from the saved answer either way."""
        from langgraph.types import Command

        if (words := len(text.split())) > MAX_ANSWER_WORDS:
            raise AnswerTooLong(
                f"your answer is {words:,} words; the limit is {MAX_ANSWER_WORDS:,} (8 minutes spoken). It was not sent: shorten it"
            )
        current = await self.progress()
        if isinstance(current, Stalled):
            raise SessionError(f"session {self.id}: the last answer is kept but the reply to it failed ({current.error}); resume")
        if isinstance(current, Finished):
            raise SessionError(f"session {self.id} is over; its feedback is all that is left")
        reply = PersonReply(text=text, asks_question=asks_question)
        await self.book.set_pending(self.id, {"answer_to": current.turn.index, **reply.model_dump()})
        progress = await self._step(Command(resume=reply.model_dump()))
        await self.book.set_pending(self.id, None)
        return progress

    async def progress(self) -> Progress:
        """Where the session is: waiting for an answer, stalled on a failed model call, or finished."""
        snapshot = await self._snapshot()
        values = snapshot.values or {}
        if not values.get("transcript"):
            raise SessionError(f"session {self.id} has not started")
        if failed := [task.error for task in snapshot.tasks if task.error]:
            return Stalled(str(failed[0]))
        if snapshot.interrupts:
            return answer_request(self.scenario, values)
        return Finished(values["transcript"], values.get("grade"), values.get("stop_reason"))

    async def transcript(self) -> list[Turn]:
        """The conversation so far."""
        return list((await self._snapshot_values()).get("transcript", []))

    async def _snapshot(self) -> Any:
        return await self.book.graph.aget_state({"configurable": {"thread_id": self.id}})

    async def _snapshot_values(self) -> dict[str, Any]:
        return (await self._snapshot()).values or {}

    async def result(self) -> InterviewResult:
        """The finished interview as the harness stores it: source `practice`, the person as the candidate."""
        done = await self.progress()
        if not isinstance(done, Finished):
            raise SessionError(f"session {self.id} is not finished")
        info = await self.book.info(self.id)
        return InterviewResult(
            scenario_id=self.scenario.id,
            persona_id=self.id,
            candidate=identity(self.profile.brief()),
            seed=self.seed,
            status="completed" if done.grade is not None else "error",
            transcript=done.transcript,
            grade=done.grade,
            stop_reason=done.stop_reason,  # type: ignore[arg-type]
            source="practice",
            calls=[CallRecord.model_validate(c) for c in json.loads(info["calls"])],
            prompt_hashes=self.prompts.hashes(),
            started_at=info["created_at"],
            duration_s=round(time.time() - info["created_at"], 3),
            error=None if done.grade is not None else "grader: no grade",
        )
