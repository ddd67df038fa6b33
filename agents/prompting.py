"""Prompt templates: Jinja2 files rendered strictly into chat messages, hashed into every result."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
# Every prompt the harness renders; users may point interviewer, candidate and grader at their own file.
DEFAULT_TEMPLATES = {
    "interviewer": "interviewer.j2",
    "candidate": "candidate.j2",
    "grader": "grader.j2",
    "judge_fidelity": "judge_fidelity.j2",
    "judge_topics": "judge_topics.j2",
    "judge_annotations": "judge_annotations.j2",
}
OVERRIDABLE = ("interviewer", "candidate", "grader")


class PromptError(ValueError):
    """A template is missing, malformed, or was rendered without a variable it needs."""


_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False
)
_ENV.filters["span"] = lambda pair: f"{pair[0]:g}-{pair[1]:g}"  # (1.0, 2.0) -> "1-2", as people say minutes


@dataclass(frozen=True)
class PromptTemplate:
    """One template file with a `system` block and a `user` block."""

    name: str
    path: Path
    source: str

    @classmethod
    def load(cls, name: str, path: Path) -> PromptTemplate:
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"prompt template for {name}: cannot read {path}: {exc.strerror}") from exc
        template = cls(name, path, source)
        missing = {"system", "user"} - set(template._compiled().blocks)
        if missing:
            raise PromptError(f"prompt template {path} must define blocks {sorted(missing)} ({{% block system %}}...)")
        return template

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @cached_property
    def _template(self) -> jinja2.Template:
        return self._compiled()

    @cached_property
    def _globals(self) -> dict[str, Any]:
        return dict(self._template.globals)

    def _compiled(self) -> jinja2.Template:
        try:
            return _ENV.from_string(self.source)
        except jinja2.TemplateSyntaxError as exc:
            raise PromptError(f"prompt template {self.path}:{exc.lineno}: {exc.message}") from exc

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Render into [system, user] messages; a variable the template needs but was not given is an error."""
        template = self._template
        try:
            # Globals merged by hand: Jinja would otherwise copy them out of a ChainMap on every render.
            context = template.new_context({**self._globals, **variables}, shared=True)
            parts = {block: "".join(template.blocks[block](context)).strip() for block in ("system", "user")}
        except jinja2.UndefinedError as exc:
            raise PromptError(f"prompt template {self.path}: {exc.message}") from exc
        return [{"role": "system", "content": parts["system"]}, {"role": "user", "content": parts["user"]}]


def conversation_text(transcript: Iterable[Any]) -> str:
    """The conversation as templates show it, one `SPEAKER: text` line per turn.

    Built here rather than looped over in the template: a Jinja loop costs about 3 µs a turn, and every
    turn re-renders the whole conversation so far."""
    return "\n".join(f"{turn.speaker.upper()}: {turn.text}" for turn in transcript)


class PromptSet:
    """The templates one run uses, by name."""

    def __init__(self, overrides: dict[str, Path | None] | None = None):
        chosen = {k: Path(v) for k, v in (overrides or {}).items() if v is not None}
        if unknown := set(chosen) - set(OVERRIDABLE):
            raise PromptError(f"cannot override prompts {sorted(unknown)}; only {list(OVERRIDABLE)}")
        self.templates = {
            name: PromptTemplate.load(name, chosen.get(name, PROMPT_DIR / filename))
            for name, filename in DEFAULT_TEMPLATES.items()
        }

    def __getitem__(self, name: str) -> PromptTemplate:
        return self.templates[name]

    def hashes(self) -> dict[str, str]:
        return {name: t.sha256 for name, t in self.templates.items()}
