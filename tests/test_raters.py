"""Human raters: the blind rating page, ratings stored per rater, JSONL export and import, and their agreement with
the labels, the grader and each other in the report."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from evals.cli import app as cli
from evals.raters.agreement import human_agreement
from evals.raters.rating import HumanRating
from evals.store.database import Store
from evals.web.app import create_app
from evals.web.rating_pages import rating_order
from tests.conftest_helpers import LIBRARY, SCENARIO, run_harness, serve_settings
from tests.scripted_agents import InterviewScript

runner = CliRunner()
PERSONAS = ("mei-defects", "grace-copilot", "dana-ranking")


@pytest.fixture
def rated_run(tmp_path):
    db = tmp_path / "h.duckdb"
    run_id = run_harness(db, InterviewScript(), *PERSONAS)  # the oracle grader: its scores are the labels
    serve = serve_settings(db)
    with TestClient(create_app(serve)) as http:
        yield http, db, run_id


def _form(levels: dict[str, int | None], flags: list[str] = ()) -> dict[str, str]:
    return {c: "na" if v is None else str(v) for c, v in levels.items()} | {f"flag_{f}": "1" for f in flags}


def test_a_person_rates_blind_and_the_report_shows_their_agreement(rated_run):
    http, db, run_id = rated_run
    page = http.get(f"/runs/{run_id}/rate/1?rater=Ann Lee")
    assert page.status_code == 200 and "Interview 1 of 3" in page.text
    # Blind: no persona id, no grade, no label on the page.
    assert not any(p in page.text for p in PERSONAS) and "Hire:" not in page.text and "score" not in page.text.lower()
    with Store.open(db) as store:
        order = [(r.persona_id, r.trial) for r in rating_order(store, run_id)]
    for n, (persona, _) in enumerate(order, start=1):
        levels = dict(LIBRARY.persona(persona).intended.competency_levels)
        levels["ownership"] = max(1, levels["ownership"] - 1)  # Ann is one point stricter on ownership
        saved = http.post(f"/runs/{run_id}/rate/{n}?rater=Ann Lee", data=_form(levels), follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].startswith(f"/runs/{run_id}/rate")
        http.post(f"/runs/{run_id}/rate/{n}?rater=Bo", data=_form(LIBRARY.persona(persona).intended.competency_levels))
    listed = http.get(f"/runs/{run_id}/rate?rater=Ann Lee")
    assert listed.text.count("rated") >= 3
    # A form missing a competency is refused, and stores nothing.
    refused = http.post(f"/runs/{run_id}/rate/1?rater=Cy", data={"collaboration": "3"})
    assert refused.status_code == 400
    with Store.open(db) as store:
        assert sorted({r.rater for r in store.load_ratings(run_id)}) == ["Ann Lee", "Bo"]
    report = runner.invoke(cli, ["report", run_id, "--markdown", str(db.parent / "r.md"), "--db", str(db)])
    assert report.exit_code == 0, report.output
    text = (db.parent / "r.md").read_text()
    section = text.split("## Human raters", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"\| Bo \| 3 \| 1\.00 \| 1\.00 \|", section)  # Bo rates as the labels, and the oracle grader
    ann = re.search(r"\| Ann Lee \| 3 \| ([0-9.]+) \| ([0-9.]+) \|", section)
    assert ann and float(ann.group(1)) < 1.0 and float(ann.group(2)) < 1.0
    assert "Krippendorff's alpha (ordinal)" in section and "read these first" in section


def test_agreement_names_the_interviews_where_grader_and_people_differ_most(rated_run):
    _, db, run_id = rated_run
    with Store.open(db) as store:
        results = store.load_results(run_id)
    first = results[0]
    intended = LIBRARY.persona(first.persona_id).intended.competency_levels
    levels = {c: 1 if (intended.get(c) or 3) >= 3 else 5 for c in SCENARIO.competency_ids}  # far from the labels
    ratings = [
        HumanRating(
            run_id=run_id,
            persona_id=r.persona_id,
            trial=r.trial,
            rater="Ann",
            rated_at=0.0,
            competency_levels=levels if r is first else dict(LIBRARY.persona(r.persona_id).intended.competency_levels),
        )
        for r in results
    ]
    labels = {(r.persona_id, r.trial): LIBRARY.persona(r.persona_id).intended for r in results}
    found = human_agreement(ratings, results, labels, SCENARIO.red_flag_ids)
    assert found is not None and found.queue[0][0] == f"{first.persona_id}#{first.trial}" and found.queue[0][1] > 1.0
    assert found.alpha is None  # one rater: no one to agree with


def test_ratings_export_and_import_as_jsonl_and_a_bad_line_stores_nothing(rated_run, tmp_path):
    http, db, run_id = rated_run
    levels = {c: 3 for c in SCENARIO.competency_ids}
    http.post(f"/runs/{run_id}/rate/1?rater=Ann", data=_form(levels, ["fixed_mindset"]))
    out = tmp_path / "ratings.jsonl"
    assert runner.invoke(cli, ["ratings", "export", run_id, "--out", str(out), "--db", str(db)]).exit_code == 0
    line = json.loads(out.read_text())
    assert line["rater"] == "Ann" and line["red_flags"] == ["fixed_mindset"] and line["competency_levels"]["ownership"] == 3
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps({**line, "rater": "Bo"}) + "\n" + json.dumps({**line, "rater": "Cy", "red_flags": ["likes_tabs"]}) + "\n"
    )
    bad = runner.invoke(cli, ["ratings", "import", str(other), "--db", str(db)])
    assert bad.exit_code == 2 and f"{other}:2: red_flags: unknown likes_tabs" in bad.output
    with Store.open(db) as store:
        assert [r.rater for r in store.load_ratings(run_id)] == ["Ann"]  # nothing of the bad file was stored
    other.write_text(json.dumps({**line, "rater": "Bo"}) + "\n")
    assert runner.invoke(cli, ["ratings", "import", str(other), "--db", str(db)]).exit_code == 0
    with Store.open(db) as store:
        assert [r.rater for r in store.load_ratings(run_id)] == ["Ann", "Bo"]
