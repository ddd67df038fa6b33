"""A finished practice interview stored as a run of its own (source `practice`), so it exports, reports and regrades
like any other run."""

from __future__ import annotations

import hashlib

from agents.interview.annotation import annotate
from agents.interview.practice import PracticeBook, PracticeSession
from agents.records import InterviewResult
from evals.loading import Library
from evals.metrics.digest import digest_for, dump_digest
from evals.runs.config import RunConfig
from evals.runs.harness import Harness, RunPlan
from evals.runs.review import apply_annotations
from evals.store.database import Store


async def store_practice(store: Store, library: Library, result: InterviewResult, config: RunConfig, label: str | None) -> str:
    """Annotate the interviewer's turns (by the rules: no model call keeps the person waiting), save the interview and
    finalize its run; the run's id."""
    scenario = library.scenario(result.scenario_id)
    apply_annotations(result, await annotate(result.transcript, scenario))
    harness = Harness(store, library)
    # A session is its own "persona set": nothing else interviews this person.
    session_hash = hashlib.sha256(f"practice:{result.persona_id}".encode()).hexdigest()
    prepared = harness.start(
        RunPlan(result.scenario_id, [(result.persona_id, 0)]), config, label=label, persona_set_hash=session_hash
    )
    store.save_interviews(prepared.run_id, [(result, dump_digest(digest_for(result, library.personas, scenario)))])
    harness.finalize(prepared.run_id)
    return prepared.run_id


async def store_session(
    book: PracticeBook, session: PracticeSession, store: Store, library: Library, config: RunConfig, label: str | None
) -> str:
    """The run a finished session is kept as: stored the first time (labelled after the person unless `label`),
    found again after that."""
    if stored := (await book.info(session.id))["run_id"]:
        return stored
    result = await session.result()
    run_id = await store_practice(store, library, result, config, label or f"practice {session.profile.name}")
    await book.mark_stored(session.id, run_id)
    return run_id
