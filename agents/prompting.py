"""Prompt templates: Jinja2 files rendered strictly into chat messages, hashed into every result."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.runtime import Context
from pydantic import BaseModel

PROMPT_DIR = Path(__file__).resolve().parent / "roles" / "prompts"
# Every prompt the harness renders; users may point interviewer, candidate and grader at their own file.
DEFAULT_TEMPLATES = {
    "interviewer": "interviewer.j2",
    "candidate": "candidate.j2",
    "grader": "grader.j2",
    "judge_fidelity": "judge_fidelity.j2",
    "judge_topics": "judge_topics.j2",
    "judge_annotations": "judge_annotations.j2",
    "judge_conformance": "judge_conformance.j2",
}
OVERRIDABLE = ("interviewer", "candidate", "grader")


class PromptError(ValueError):
    """A template is missing, malformed, or was rendered without a variable it needs."""


_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False, autoescape=False
)
# Jinja's built-in filters that can also serve async templates ask which kind they serve on every call; ours never are.
_ENV.filters.update({name: f.__wrapped__ for name, f in _ENV.filters.items() if getattr(f, "jinja_async_variant", False)})
_ENV.filters["span"] = lambda pair: f"{pair[0]:g}-{pair[1]:g}"  # (1.0, 2.0) -> "1-2", as people say minutes
# Filters whose output is not a function of their input: a block using one is never reused.
_IMPURE_FILTERS = frozenset({"random", "shuffle"})
# Reused block renderings kept per template, at most; then they start over.
_MAX_REUSED = 1024


@lru_cache(maxsize=64)
def _jinja(source: str) -> jinja2.Template:
    # Compiled once per process for each source text, however many PromptSets load it.
    return _ENV.from_string(source)


_ABSENT = object()
_SCALARS = frozenset({str, int, float, bool, type(None)})
_FROZEN: dict[type, bool] = {}


def _frozen(kind: type) -> bool:
    """Whether instances of `kind` are frozen pydantic models (remembered per class)."""
    if kind not in _FROZEN:
        _FROZEN[kind] = issubclass(kind, BaseModel) and bool(kind.model_config.get("frozen"))
    return _FROZEN[kind]


def _reuse_key(names: tuple[str, ...], variables: dict[str, Any]) -> tuple[Any, ...] | None:
    """The values of `names` as a key: scalars by value, frozen models (scenario and persona files) by identity; None
    when one is missing or could change under the same identity (a list, a dict, a mutable record)."""
    key: list[Any] = []
    for name in names:
        value = variables.get(name, _ABSENT)
        kind = type(value)
        if kind in _SCALARS:
            key.append((kind, value))
        elif _frozen(kind):
            key.append(id(value))
        else:
            return None
    return tuple(key)


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

    @cached_property
    def _blocks(self) -> dict[str, Any]:
        # Nested blocks are called through the context's table, so they are reused too.
        return {**self._template.blocks, **self._reusable}

    def _compiled(self) -> jinja2.Template:
        try:
            return _jinja(self.source)
        except jinja2.TemplateSyntaxError as exc:
            raise PromptError(f"prompt template {self.path}:{exc.lineno}: {exc.message}") from exc

    @cached_property
    def _reusable(self) -> dict[str, Any]:
        """Block functions that reuse their output while the variables they read are the same (see `_reuse_key`): the
        system block, and any block nested in another, which is how a template marks a stable stretch of its user
        part (the user block itself holds the conversation, new every turn). A block that reads only the scenario, the
        persona's brief and scalars then renders once per candidate rather than once per turn."""
        ast = _ENV.parse(self.source)
        top = {block.name for block in ast.body if isinstance(block, nodes.Block)}
        reused: dict[str, tuple[str, ...]] = {}
        for block in ast.find_all(nodes.Block):
            if block.name in top - {"system"} or block.scoped:
                continue
            if any(f.name in _IMPURE_FILTERS for f in block.find_all(nodes.Filter)):
                continue
            alone = nodes.Template([block])
            alone.set_environment(_ENV)
            reused[block.name] = tuple(sorted(meta.find_undeclared_variables(alone)))
        renderings: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}
        return {name: _reusing(self._template.blocks[name], names, renderings) for name, names in reused.items()}

    def render(self, **variables: Any) -> list[dict[str, str]]:
        """Render into [system, user] messages; a variable the template needs but was not given is an error."""
        try:
            # A context made directly: Jinja's own would copy the globals out of a ChainMap, and the blocks, every time.
            context = Context(_ENV, {**self._globals, **variables}, self.name, self._blocks)
            parts = {block: "".join(context.blocks[block][0](context)).strip() for block in ("system", "user")}
        except jinja2.UndefinedError as exc:
            raise PromptError(f"prompt template {self.path}: {exc.message}") from exc
        messages = [{"role": "system", "content": parts["system"]}, {"role": "user", "content": parts["user"]}]
        return RenderedPrompt(messages, self.sha256)


def _reusing(block: Any, names: tuple[str, ...], renderings: dict) -> Any:
    """`block`'s render function, reusing its output for the same values of `names` (see `_reuse_key`)."""

    def render(context: Any) -> Any:
        variables = context.parent
        key = _reuse_key(names, variables)
        if key is None:
            return block(context)
        kept = renderings.get((block, key))
        if kept is None:
            if len(renderings) >= _MAX_REUSED:
                renderings.clear()
            # The values are kept with the text: an object keyed by identity stays alive, so its id is never reused.
            kept = renderings[(block, key)] = ("".join(block(context)), [variables.get(n) for n in names])
        return (kept[0],)

    return render


def conversation_text(transcript: Iterable[Any]) -> str:
    """The conversation as templates show it, one `SPEAKER: text` line per turn.

    Built here rather than looped over in the template: a Jinja loop costs about 3 µs a turn, and every
    turn re-renders the whole conversation so far."""
    return "\n".join(f"{turn.speaker.upper()}: {turn.text}" for turn in transcript)


def numbered_transcript(transcript: Iterable[Any]) -> str:
    """The transcript as the review prompts show it (`{{ transcript | numbered }}`): a `[index] SPEAKER: text` line per
    turn, each ending in a newline. Joined here rather than looped over in a template: the loop cost each of an
    interview's four reviews about 0.1 ms."""
    return "".join(f"[{turn.index}] {turn.speaker.upper()}: {turn.text}\n" for turn in transcript)


_ENV.filters["numbered"] = numbered_transcript


class Conversation:
    """`conversation_text` of one interview's growing transcript, extended by the turns added since it was last asked
    rather than rebuilt for every prompt (an interview asks about 60 times)."""

    def __init__(self) -> None:
        self._text, self._count, self._last = "", 0, None

    def text(self, transcript: list[Any]) -> str:
        count = len(transcript)
        # Turns are only ever appended: the turn last seen still in its place means the text so far stands.
        if count < self._count or (self._count and transcript[self._count - 1] is not self._last):
            self._text, self._count = "", 0
        if count > self._count:
            added = conversation_text(transcript[self._count :])
            self._text = f"{self._text}\n{added}" if self._text else added
            self._count, self._last = count, transcript[-1]
        return self._text


class RenderedPrompt(list):
    """The messages a template rendered, carrying the template's hash (a recording names the template it answers)."""

    def __init__(self, messages: list[dict[str, str]], template_hash: str):
        super().__init__(messages)
        self.template_hash = template_hash


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
