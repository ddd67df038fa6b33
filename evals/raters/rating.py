"""One person's blind rating of one stored interview, and the JSONL form ratings travel in."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field, ValidationError

from scenarios.model import Scenario
from scenarios.strict import StrictModel, error_fields


class HumanRating(StrictModel):
    """What a rater scored, having read the transcript alone (no labels, no grades)."""

    run_id: str = Field(description="The run the interview belongs to.")
    persona_id: str = Field(description="The interview's persona (or recording) id.")
    trial: int = Field(ge=0, description="The interview's trial.")
    rater: str = Field(min_length=1, max_length=80, description="Who rated: a name or a handle, the same for all their ratings.")
    rated_at: float = Field(description="When, in unix seconds.")
    competency_levels: dict[str, int | None] = Field(description="Level 1-5 per competency id; null: not assessable.")
    red_flags: list[str] = Field(default_factory=list, description="Red-flag ids the rater saw.")

    def check(self, scenario: Scenario) -> list[str]:
        """What does not fit the scenario: unknown or missing competencies, levels outside 1-5, unknown flags."""
        problems = []
        if missing := set(scenario.competency_ids) - set(self.competency_levels):
            problems.append(f"competency_levels: missing {', '.join(sorted(missing))}")
        if unknown := set(self.competency_levels) - set(scenario.competency_ids):
            problems.append(f"competency_levels: unknown {', '.join(sorted(unknown))}")
        if bad := [c for c, v in self.competency_levels.items() if v is not None and not 1 <= v <= 5]:
            problems.append(f"competency_levels: {', '.join(bad)} must be 1-5 or null")
        if flags := set(self.red_flags) - set(scenario.red_flag_ids):
            problems.append(f"red_flags: unknown {', '.join(sorted(flags))}")
        return problems


def write_jsonl(ratings: list[HumanRating], path: Path) -> None:
    path.write_text("".join(r.model_dump_json() + "\n" for r in ratings), encoding="utf-8")


def read_jsonl(path: Path) -> tuple[list[tuple[int, HumanRating]], list[str]]:
    """The ratings in a JSONL file with their line numbers, and every problem, each naming its line and field."""
    ratings, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rating = HumanRating.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: not JSON: {exc.msg}")
            continue
        except ValidationError as exc:
            problems += [f"{path}:{number}: {p}" for p in error_fields(exc, "(line)")]
            continue
        ratings.append((number, rating))
    return ratings, problems
