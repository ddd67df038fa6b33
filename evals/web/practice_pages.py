"""The practice pages: start a session, answer turn by turn, read the feedback; every state is read back from the
session's checkpoint, so a refresh or a restart shows the same page."""

from __future__ import annotations

import time

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agents.interview.format_rules import WORDS_PER_MINUTE
from agents.interview.practice import (
    MAX_ANSWER_WORDS,
    NO_MORE_QUESTIONS,
    AnswerRequest,
    AnswerTooLong,
    Finished,
    PracticeSession,
    Profile,
    SessionError,
    Stalled,
)
from agents.models.gateway import ModelCallError
from evals.practice.feedback import grader_caveat, practice_feedback
from evals.practice.run import store_session
from evals.practice.view import briefing, length_note
from evals.store.database import Store, StoreError
from evals.web.common import book, message, page, see_other, settings


async def home(request: Request) -> Response:
    serve = settings(request)
    sessions = [
        {
            "id": s["id"],
            "name": Profile.model_validate_json(s["profile"]).name,
            "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(s["created_at"])),
            "run_id": s["run_id"],
        }
        for s in await book(request).sessions()
    ]
    return page("home.html", scenario=serve.scenario, briefing=briefing(serve.scenario), sessions=sessions)


async def start(request: Request) -> Response:
    serve = settings(request)
    form = await request.form()
    try:
        profile = Profile(
            name=str(form.get("name", "")).strip(),
            current_role=str(form.get("role") or "AI engineer"),
            years_experience=int(str(form.get("years") or 0)),
            domain=str(form.get("domain") or "machine learning"),
        )
    except (ValidationError, ValueError) as exc:
        return message("Cannot start", f"Check the form: {exc}", 400)
    session_id = await book(request).create(serve.scenario, profile)
    session = await _session(request, session_id)
    try:
        async with serve.lock(session_id):
            await session.start()
    except ModelCallError:
        pass  # the session page shows the failed step with a retry button
    return see_other(f"/practice/{session_id}")


async def _session(request: Request, session_id: str) -> PracticeSession:
    serve = settings(request)
    return await PracticeSession.open(book(request), session_id, serve.library.scenarios, serve.gateway, serve.prompts)


async def show(request: Request) -> Response:
    session_id = request.path_params["session_id"]
    try:
        session = await _session(request, session_id)
        progress = await session.progress()
    except SessionError as exc:
        return message("No such session", str(exc), 404)
    if isinstance(progress, Stalled):
        return page("stalled.html", session_id=session_id, error=progress.error)
    if isinstance(progress, Finished):
        return await _feedback(request, session)
    return await _answer_page(session, progress)


async def _answer_page(
    session: PracticeSession, request: AnswerRequest, *, draft: str = "", note: str = "", status: int = 200
) -> Response:
    """The turn to answer under the conversation so far; `draft` refills the box (an answer that was not sent)."""
    transcript = await session.transcript()
    said = [t.text for t in transcript if t.speaker == "candidate"]
    return page(
        "practice.html",
        status,
        session_id=session.id,
        scenario=session.scenario,
        request=request,
        transcript=transcript,
        last_note=length_note(request, said[-1], session.scenario, sent=True) if said else "",
        message=note,
        draft=draft,
        limit_words=f"{MAX_ANSWER_WORDS:,}",
        words_per_minute=WORDS_PER_MINUTE,
    )


async def answer(request: Request) -> Response:
    serve = settings(request)
    session_id = request.path_params["session_id"]
    form = await request.form()
    text, action = str(form.get("answer", "")).strip(), str(form.get("action", "answer"))
    try:
        session = await _session(request, session_id)
        async with serve.lock(session_id):
            current = await session.progress()
            if not isinstance(current, AnswerRequest):
                return see_other(f"/practice/{session_id}")
            if action != "none" and not text:
                return await _answer_page(session, current, note="An empty answer is not sent: type your answer.", status=422)
            try:
                if action == "none":
                    await session.answer(NO_MORE_QUESTIONS)
                else:
                    await session.answer(text, asks_question=action == "ask" and current.asks_for_questions)
            except AnswerTooLong as exc:
                return await _answer_page(session, current, draft=text, note=f"{exc}. Your answer is kept below.", status=422)
    except SessionError as exc:
        return message("Cannot answer", str(exc), 409)
    except ModelCallError:
        pass  # kept with the session: the page offers to try the step again
    return see_other(f"/practice/{session_id}")


async def retry(request: Request) -> Response:
    serve = settings(request)
    session_id = request.path_params["session_id"]
    try:
        session = await _session(request, session_id)
        async with serve.lock(session_id):
            await session.resume()
    except SessionError as exc:
        return message("No such session", str(exc), 404)
    except ModelCallError:
        pass
    return see_other(f"/practice/{session_id}")


async def _feedback(request: Request, session: PracticeSession) -> Response:
    serve = settings(request)
    result = await session.result()
    if result.grade is None:
        return message("Not graded", f"session {session.id} ended without a grade", 500)
    feedback = practice_feedback(session.scenario, result.transcript, result.grade, serve.library.personas)
    run_id = None
    if serve.store:
        async with serve.lock(session.id):
            try:
                with Store.open(serve.db) as store:
                    run_id = await store_session(book(request), session, store, serve.library, serve.config, None)
            except StoreError as exc:
                return message("Cannot store the interview", f"{exc}. Reload this page to try again.", 503)
    caveat = grader_caveat(serve.config.models.grader.model)
    response = page("feedback.html", session_id=session.id, feedback=feedback, run_id=run_id, caveat=caveat)
    if not serve.store:
        await book(request).forget(session.id)
    return response


def routes() -> list[Route]:
    return [
        Route("/", home),
        Route("/practice", start, methods=["POST"]),
        Route("/practice/{session_id}", show),
        Route("/practice/{session_id}/answer", answer, methods=["POST"]),
        Route("/practice/{session_id}/retry", retry, methods=["POST"]),
    ]
