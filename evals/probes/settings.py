"""What a probe run stores: its settings (which run, which perturbations, which name sets) and each perturbed grade."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agents.records import CallRecord, CandidateIdentity, Grade, Turn
from evals.probes.name_sets import NameSet
from evals.probes.perturb import Perturbation
from scenarios.strict import StrictModel


class ProbeSettings(StrictModel):
    """A probe run's inputs besides the grader, which is the probed run's own."""

    base_run: str = Field(description="The run whose frozen transcripts were perturbed and graded again.")
    suite: list[Perturbation] = Field(min_length=1, description="The perturbations applied.")
    name_sets: list[NameSet] = Field(default_factory=list, description="The name sets name_swap used, as they were.")
    name_sets_sha256: str | None = Field(default=None, description="sha256 of the name-sets file.")
    personas: list[str] = Field(
        default_factory=list, description="Only these personas' (or recordings') interviews were probed; empty: every one."
    )


class ProbeGrade(StrictModel):
    """One perturbed copy of one interview, and the grade the run's grader gave it."""

    persona_id: str = Field(description="Persona (or recording id) of the original interview.")
    trial: int = Field(description="Trial of the original interview.")
    perturbation: Perturbation = Field(description="Which perturbation.")
    variant: str = Field(description="Which variant of it: a name set, an injection kind, or the perturbation's one variant.")
    status: Literal["completed", "error"] = Field(description="completed, or error when grading failed.")
    error: str | None = Field(default=None, description="Why grading failed.")
    candidate: CandidateIdentity | None = Field(description="Who the grader was told the candidate is.")
    transcript: list[Turn] = Field(description="The transcript the grader read.")
    changed_turns: list[int] = Field(description="Indices of the turns the perturbation changed.")
    grade: Grade | None = Field(default=None, description="The grade; None when grading failed.")
    calls: list[CallRecord] = Field(default_factory=list, description="The grader's calls.")

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.persona_id, self.trial, self.perturbation, self.variant)
