"""The blind rating page: a person reads a stored interview's transcript, with no labels, grades or persona shown,
and scores the competencies and red flags; each rating is stored under the rater's name (`HumanRating`)."""

from __future__ import annotations

import random
import time
from urllib.parse import quote

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agents.records import InterviewResult
from evals.raters.rating import HumanRating
from evals.store.database import Store, StoreError
from evals.web.common import message, page, see_other, settings


def rating_order(store: Store, run_id: str) -> list[InterviewResult]:
    """The run's finished interviews in one shuffled order per run: the same for every rater, and not the order the
    run (or its persona ids) would suggest."""
    done = [r for r in store.load_results(run_id) if r.status == "completed" and r.transcript]
    done.sort(key=lambda r: (r.persona_id, r.trial))
    random.Random(run_id).shuffle(done)
    return done


def _rater(request: Request) -> str:
    return request.query_params.get("rater", "").strip()[:80]


async def rate_list(request: Request) -> Response:
    run_id, rater = request.path_params["run_id"], _rater(request)
    try:
        with Store.open(settings(request).db) as store:
            run = store.get_run(run_id)
            if run is None:
                return message("No such run", f"no run {run_id!r}", 404)
            queue = rating_order(store, run.run_id)
            mine = {(r.persona_id, r.trial) for r in store.load_ratings(run.run_id) if r.rater == rater}
    except StoreError as exc:
        return message("Results unavailable", str(exc), 503)
    rated = [(r.persona_id, r.trial) in mine for r in queue]
    return page("rate_list.html", run=run, rater=rater, rated=rated)


async def rate(request: Request) -> Response:
    run_id, n, rater = request.path_params["run_id"], request.path_params["n"], _rater(request)
    if not rater:
        return see_other(f"/runs/{run_id}/rate")
    serve = settings(request)
    try:
        with Store.open(serve.db) as store:
            run = store.get_run(run_id)
            queue = rating_order(store, run.run_id) if run is not None else []
            if run is None or not 1 <= n <= len(queue):
                return message("No such interview", f"run {run_id!r} has no interview {n} to rate", 404)
            result = queue[n - 1]
            if request.method == "POST":
                return await _save(request, store, run.run_id, result, rater, n, len(queue))
            earlier = next(
                (
                    r
                    for r in store.load_ratings(run.run_id)
                    if r.rater == rater and (r.persona_id, r.trial) == (result.persona_id, result.trial)
                ),
                None,
            )
    except StoreError as exc:
        return message("Results unavailable", str(exc), 503)
    scenario = serve.library.scenarios[run.scenario_id]
    turns = [{"speaker": t.speaker, "text": t.text} for t in result.transcript]
    return page("rate.html", run=run, n=n, total=len(queue), rater=rater, turns=turns, scenario=scenario, earlier=earlier)


async def _save(request: Request, store: Store, run_id: str, result: InterviewResult, rater: str, n: int, total: int) -> Response:
    form = await request.form()
    scenario = settings(request).library.scenarios[result.scenario_id]
    if unchosen := [c.title for c in scenario.competencies if not str(form.get(c.id, ""))]:
        return message("Cannot save the rating", f"Choose a level or 'not assessable' for: {', '.join(unchosen)}.", 400)
    try:
        levels = {c: None if str(form[c]) == "na" else int(str(form[c])) for c in scenario.competency_ids}
        rating = HumanRating(
            run_id=run_id,
            persona_id=result.persona_id,
            trial=result.trial,
            rater=rater,
            rated_at=time.time(),
            competency_levels=levels,
            red_flags=[f for f in scenario.red_flag_ids if form.get(f"flag_{f}")],
        )
    except (ValueError, ValidationError) as exc:
        return message("Cannot save the rating", f"A level is 1-5 or 'not assessable' ({exc}).", 400)
    if problems := rating.check(scenario):
        return message("Cannot save the rating", "; ".join(problems), 400)
    store.save_rating(rating)
    who = quote(rater)
    nxt = f"/runs/{run_id}/rate/{n + 1}?rater={who}" if n < total else f"/runs/{run_id}/rate?rater={who}"
    return see_other(nxt)


def routes() -> list[Route]:
    return [
        Route("/runs/{run_id}/rate", rate_list),
        Route("/runs/{run_id}/rate/{n:int}", rate, methods=["GET", "POST"]),
    ]
