"""How far a persona library's labels can be read off the surface of its stories.

A library whose intended level follows story length or the count of figures cited would pass a
grader that only counts. These figures say how much of that shortcut the shipped stories allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.models.providers.baseline import counting_evidence, surface_counts
from evals.metrics.agreement import quadratic_weighted_kappa, spearman_rho
from personas.model import Persona, Story

# At or above this rank-fitted QWK the counting baseline reads levels off the surface well enough
# to matter: `validate` warns, and a test keeps the shipped library below it.
COUNTING_QWK_WARNING = 0.50


def story_text(story: Story) -> str:
    """Everything the candidate may say of a story, as one text."""
    return " ".join([story.situation, story.task, *story.actions, story.result, *story.metrics, story.learned])


def rank_fitted_qwk(scores: list[float], levels: list[int]) -> float | None:
    """QWK of a score used as a ranking: the stories in score order get the label distribution's levels in order.

    This is the best any grader that ranks by `scores` can do on these labels, whatever its cut-offs.
    Ties keep file order, as a grader forced to pick would.
    """
    order = sorted(range(len(scores)), key=lambda k: (scores[k], k))
    fitted = [0] * len(levels)
    for level, k in zip(sorted(levels), order):
        fitted[k] = level
    return quadratic_weighted_kappa(levels, fitted)


@dataclass(frozen=True)
class Confounds:
    """Surface figures of a library, one story per competency label."""

    stories: int
    spearman_words: float | None
    spearman_figures: float | None
    counting_qwk: float | None

    @property
    def warning(self) -> bool:
        return self.counting_qwk is not None and self.counting_qwk >= COUNTING_QWK_WARNING

    def describe(self) -> str:
        show = lambda v: "-" if v is None else f"{v:+.2f}"  # noqa: E731
        return (
            f"confounds over {self.stories} stories: Spearman of intended level with words {show(self.spearman_words)}, "
            f"with figures cited {show(self.spearman_figures)}; counting baseline rank-fitted QWK {show(self.counting_qwk)}"
        )


def library_confounds(personas: list[Persona]) -> Confounds:
    """Each story's intended level (its persona's level for its competency) against its words and figures."""
    levels, words, figures = [], [], []
    for persona in personas:
        for story in persona.story_bank:
            if story.competency in persona.intended.competency_levels:
                n_words, n_figures = surface_counts(story_text(story))
                levels.append(persona.intended.competency_levels[story.competency])
                words.append(n_words)
                figures.append(n_figures)
    evidence = [counting_evidence(w, f) for w, f in zip(words, figures)]
    return Confounds(
        stories=len(levels),
        spearman_words=spearman_rho(levels, words) if levels else None,
        spearman_figures=spearman_rho(levels, figures) if levels else None,
        counting_qwk=rank_fitted_qwk(evidence, levels) if levels else None,
    )
