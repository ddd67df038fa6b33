"""How much of a run's result is noise: the same grader on the same transcripts (a regrade) against new
simulated interviews under the same configuration (a rerun).

A regrade with an unchanged grader shows grader noise alone; a rerun adds the noise of simulating the
interviews again. When both exist beside a run, the report shows them side by side, so a change seen
in `compare` can be weighed against both.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.records import persona_candidate
from evals.runs.config import RegradeConfig
from evals.store.database import RunRecord, Store

SEARCHED_RUNS = 200


@dataclass(frozen=True)
class Noise:
    """Differences between a run and one repeat of it, over the interviews both graded."""

    kind: str  # "grader (regrade)" or "simulation (rerun)"
    other: str
    paired: int
    mean_abs_change: float | None
    hire_flips: float | None


def _same_grader(run: RunRecord, other: RunRecord) -> bool:
    return other.models.get("grader") == run.models.get("grader") and other.prompt_hashes.get("grader") == run.prompt_hashes.get(
        "grader"
    )


def _repeats(store: Store, run: RunRecord) -> dict[str, RunRecord]:
    found: dict[str, RunRecord] = {}
    for other in store.list_runs(SEARCHED_RUNS):
        if other.run_id == run.run_id or other.status != "complete" or other.scenario_hash != run.scenario_hash:
            continue
        if other.persona_set_hash != run.persona_set_hash or not _same_grader(run, other):
            continue
        if isinstance(other.config, RegradeConfig) and other.config.regrade_of == run.run_id:
            found.setdefault("grader (regrade)", other)
        elif (
            other.config.kind != "regrade"
            and run.config.kind != "regrade"
            and persona_candidate(other.config.interviewer)
            and other.models == run.models
            and other.prompt_hashes == run.prompt_hashes
        ):
            found.setdefault("simulation (rerun)", other)
    return found


# Paired in SQL over the stored JSON, each interview's grade read out once: parsing every interview of both runs
# cost about 14 s and 2 GB at 10,000 a side.
_DIFFERENCE = """
WITH paired AS (
    SELECT mine.g AS a, theirs.g AS b
    FROM (SELECT persona_id, trial, result->'$.grade' AS g FROM interviews WHERE run_id = ?) AS mine
    JOIN (SELECT persona_id, trial, result->'$.grade' AS g FROM interviews WHERE run_id = ?) AS theirs USING (persona_id, trial)
    WHERE json_type(mine.g) = 'OBJECT' AND json_type(theirs.g) = 'OBJECT'
), scores AS (
    SELECT CAST(a->'competencies'->c->>'score' AS INTEGER) AS x, CAST(b->'competencies'->c->>'score' AS INTEGER) AS y
    FROM (SELECT a, b, unnest(json_keys(a->'competencies')) AS c FROM paired)
)
SELECT
    (SELECT count(*) FROM paired),
    (SELECT avg(abs(x - y)) FROM scores),
    (SELECT avg(CAST(CAST(a->>'hire' AS BOOLEAN) <> CAST(b->>'hire' AS BOOLEAN) AS DOUBLE)) FROM paired)
"""


def _difference(store: Store, run: RunRecord, other: RunRecord, kind: str) -> Noise:
    ((paired, change, flips),) = store.query(_DIFFERENCE, [run.run_id, other.run_id])
    return Noise(kind, other.run_id, paired, change, flips)


def noise(store: Store, run: RunRecord) -> list[Noise]:
    """Grader noise and simulation noise for `run`, for whichever repeats of it are stored."""
    return [_difference(store, run, other, kind) for kind, other in sorted(_repeats(store, run).items())]
