"""`run --twins`: each persona again under every name set, with the same seed, compared in the report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agents.models.providers.scripted import FunctionModel, register_scripted
from evals.cli import app
from evals.probes.name_sets import load_name_sets
from evals.store.database import Store
from tests.conftest_helpers import LIBRARY
from tests.scripted_agents import InterviewScript

runner = CliRunner()
SETS, _ = load_name_sets()
PERSONA = LIBRARY.persona("mei-defects")
SLIGHTED = {name for s in SETS if s.id == "black_woman" for name in s.names}


def register(name: str) -> str:
    """Scripted roles that know every twin of the persona by name; the interviewer asks one name set's age."""
    names = {PERSONA.display_name, *(n for s in SETS for n in s.names)}
    fair = InterviewScript(candidate="story", personas=dict.fromkeys(names, PERSONA))
    curt = InterviewScript(candidate="story", extra_interviewer_text="How old are you, by the way?", personas=fair.personas)

    def respond(role: str, messages: list[dict], schema: dict | None):
        prompt = "\n".join(m["content"] for m in messages)
        slighted = role == "interviewer" and any(f"Candidate: {n}," in prompt for n in SLIGHTED)
        return (curt if slighted else fair).respond(role, messages, schema)

    register_scripted(name, FunctionModel(respond))
    return f"scripted/{name}"


def test_twins_replay_each_interview_under_every_name_set_and_the_report_compares_them(tmp_path):
    model = register("twins-interviewer")
    db = tmp_path / "h.duckdb"
    flags = [a for role in ("interviewer", "candidate", "judge") for a in (f"--{role}-model", model)]
    args = ["run", "--persona", PERSONA.id, "--twins", *flags, "--grader-model", "baseline/counting", "--annotator", "rules"]
    result = runner.invoke(app, [*args, "--db", str(db)])
    assert result.exit_code in (0, 1), result.output
    with Store.open(db) as store:
        run = store.list_runs(1)[0]
        results = store.load_results(run.run_id)
    assert [r.trial for r in results] == list(range(1 + len(SETS)))
    assert [r.twin for r in results] == [None, *(s.id for s in SETS)]
    assert len({r.seed for r in results}) == 1  # only the name differs
    assert results[0].candidate.name == PERSONA.display_name
    for r, name_set in zip(results[1:], SETS):
        assert r.candidate.name in name_set.names and r.candidate.pronouns == name_set.pronouns
        assert f"I'm {r.candidate.name}" in r.transcript[1].text
    asked = {r.twin: sum(t.action == "ask" and t.segment != "intro" for t in r.transcript) for r in results}
    assert len(set(asked.values())) == 1
    age = {r.twin: sum("How old are you" in t.text for t in r.transcript) for r in results}
    assert age["black_woman"] > 0 and sum(age.values()) == age["black_woman"]

    md = tmp_path / "r.md"
    assert runner.invoke(app, ["report", run.run_id, "--db", str(db), "--markdown", str(md)]).exit_code == 0
    text = md.read_text()
    assert "## Twins: the interviewer under each name set" in text
    assert "1 of 1 twin groups were not interviewed alike" in text
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ") for line in text.splitlines() if line.startswith("| ")}
    assert float(rows["black_woman"][-1].strip(" |")) > 0 and float(rows["white_man"][-1].strip(" |")) == 0
    assert rows["black_woman"][2] == rows["white_man"][2] == f"{asked[None]:.1f}"  # the same number of questions
    data = json.loads(runner.invoke(app, ["report", run.run_id, "--db", str(db), "--json"]).output)
    assert [i["twin"] for i in data["interviews"]] == [None, *(s.id for s in SETS)]

    refused = runner.invoke(app, ["run", "--resume", run.run_id, "--twins", "--db", str(db)])
    assert refused.exit_code == 2 and "--twins" in refused.output
    stray = runner.invoke(app, ["run", "--persona", PERSONA.id, "--name-sets", "x.yaml", "--db", str(db)])
    assert stray.exit_code == 2 and "add --twins" in stray.output


def test_a_renamed_twin_speaks_under_its_new_name_even_after_the_original_was_briefed():
    from evals.runs.twins import renamed

    original = LIBRARY.persona("mei-defects")
    assert original.brief().display_name == original.display_name  # the brief is now kept on the original
    name_set = next(s for s in SETS if s.pronouns != original.pronouns)
    twin = renamed(original, name_set, seed=3)
    assert twin.display_name != original.display_name
    assert (twin.brief().display_name, twin.brief().pronouns) == (twin.display_name, name_set.pronouns)
    assert original.brief().display_name == original.display_name
    assert LIBRARY.scenario(original.scenario_id).model_copy().segment("intro").id == "intro"
