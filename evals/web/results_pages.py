"""The results viewer: the runs, a run's report, one interview's transcript beside its grades, two runs compared,
and the example answers practice feedback links to."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from agents.records import Turn
from evals.metrics.flags import evidence_grounding
from evals.practice.examples import level_examples
from evals.store.database import Store, StoreError
from evals.web.common import message, page, settings

RECENT_RUNS = 200


class _Unavailable(Exception):
    def __init__(self, response: Response):
        self.response = response


@contextmanager
def _store(request: Request) -> Iterator[Store]:
    """The results database, opened for this request (the CLI may hold it between requests)."""
    try:
        with Store.open(settings(request).db) as store:
            yield store
    except StoreError as exc:
        raise _Unavailable(message("Results unavailable", str(exc), 503)) from exc


def _run(store: Store, run_id: str):
    run = store.get_run(run_id)
    if run is None:
        raise _Unavailable(message("No such run", f"no run {run_id!r} in {store.path}", 404))
    return run


def highlighted(turn: Turn, quotes: list[str]) -> Markup:
    """The turn's text, escaped, with every quote found in it marked."""
    text = str(escape(turn.text))
    for quote in sorted({q for q in quotes if q.strip()}, key=len, reverse=True):
        safe = str(escape(quote))
        if safe in text:
            text = text.replace(safe, f"<mark>{safe}</mark>")
    return Markup(text)


async def runs(request: Request) -> Response:
    with _store(request) as store:
        found = store.list_runs(RECENT_RUNS)
    started = {r.run_id: time.strftime("%Y-%m-%d %H:%M", time.localtime(r.started_at)) for r in found}
    return page("runs.html", runs=found, started=started, db=str(settings(request).db))


async def report(request: Request) -> Response:
    from evals.report.html import render_html
    from evals.report.run_report import build_report

    with _store(request) as store:
        run = _run(store, request.path_params["run_id"])
        built = build_report(store, run, settings(request).library)
    return HTMLResponse(render_html(built))


async def interviews(request: Request) -> Response:
    with _store(request) as store:
        run = _run(store, request.path_params["run_id"])
        results = store.load_results(run.run_id)
    return page("interviews.html", run=run, results=results)


async def interview(request: Request) -> Response:
    persona, trial = request.path_params["persona_id"], int(request.path_params["trial"])
    with _store(request) as store:
        run = _run(store, request.path_params["run_id"])
        result = next((r for r in store.load_results(run.run_id) if (r.persona_id, r.trial) == (persona, trial)), None)
    if result is None:
        return message("No such interview", f"run {run.run_id} has no interview {persona}#{trial}", 404)
    grade = result.grade
    quotes = (
        [q for g in grade.competencies.values() for q in g.evidence] + [q for f in grade.red_flags for q in f.evidence]
        if grade
        else []
    )
    said = [t.text for t in result.transcript if t.speaker == "candidate"]
    turns = [{**t.model_dump(), "html": highlighted(t, quotes if t.speaker == "candidate" else [])} for t in result.transcript]
    found = set(quotes) - set(evidence_grounding(quotes, said).ungrounded)
    return page("interview.html", run=run, result=result, turns=turns, found=found)


async def compare(request: Request) -> Response:
    from evals.report.compare import compare_runs, conclusion, delta_table
    from evals.report.html import table_html

    base_id, new_id = request.query_params.get("base", ""), request.query_params.get("new", "")
    with _store(request) as store:
        base, new = _run(store, base_id), _run(store, new_id)
        if "probe" in (base.config.kind, new.config.kind):
            return message("Cannot compare", "a probe run has no interviews of its own to pair; compare the runs it probed", 400)
        result = compare_runs(store, base, new, settings(request).library, new.config.gates)
    return page("compare.html", c=result, conclusion=conclusion(result), table=Markup(table_html(delta_table(result))))


async def history(request: Request) -> Response:
    from evals.report.history import DEFAULT_METRICS, history_table, run_history, trend_chart
    from evals.report.html import block_html

    label = request.query_params.get("label") or None
    scenario = request.query_params.get("scenario") or None
    metrics = tuple(request.query_params.getlist("metric")) or DEFAULT_METRICS
    with _store(request) as store:
        try:
            found = run_history(store, metrics, label=label, scenario=scenario)
        except KeyError as exc:
            return message("Unknown metric", str(exc.args[0]), 400)
    title = "Runs" + (f" labelled {label}" if label else "") + (f" of {scenario}" if scenario else "") + ", oldest first"
    blocks = [trend_chart(found, title), history_table(found)] if found.points else []
    return page("history.html", title=title, blocks=[Markup(block_html(b)) for b in blocks], label=label or "")


async def examples(request: Request) -> Response:
    scenario = settings(request).scenario
    question_id = request.path_params["question_id"]
    if question_id not in {q.id for q in scenario.question_bank}:
        return message("No such question", f"no question {question_id!r} in {scenario.id}", 404)
    found = level_examples(scenario, settings(request).library.personas, question_id)
    return page("examples.html", question=scenario.question(question_id), examples=found)


def _guarded(handler):
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except _Unavailable as exc:
            return exc.response

    return guarded


def routes() -> list[Route]:
    return [
        Route("/runs", _guarded(runs)),
        Route("/runs/{run_id}", _guarded(report)),
        Route("/runs/{run_id}/interviews", _guarded(interviews)),
        Route("/runs/{run_id}/interviews/{persona_id}/{trial:int}", _guarded(interview)),
        Route("/compare", _guarded(compare)),
        Route("/history", _guarded(history)),
        Route("/examples/{question_id}", _guarded(examples)),
    ]
