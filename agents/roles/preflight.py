"""Before the first interview: can every role's model be called, and does the longest prompt fit it?

Two passes. `credential_problems` needs no import and answers at once for the common providers (a
missing API key is the usual first mistake, and a run of 200 interviews would otherwise discover it 200
times). `provider_problems` asks litellm (an import of several seconds) what it knows: whether it knows
the model at all, which keys any other provider needs, the model's context window, and whether an
`api_base` endpoint answers.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

from agents.models.config import CHARS_PER_TOKEN, ModelsConfig, RoleModel
from agents.models.providers import via_litellm
from agents.models.providers.litellm_provider import import_litellm
from agents.records import ROLES

# The keys litellm reads for the providers people use most, so their absence is found without importing litellm.
PROVIDER_KEYS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "cohere": ("COHERE_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
}
ENDPOINT_TIMEOUT_S = 3.0
SPEAKERS: tuple[Literal["interviewer", "candidate"], ...] = ("interviewer", "candidate")


@dataclass(frozen=True)
class Problem:
    """One reason a role's model cannot be used as configured, and what to do about it."""

    role: str
    model: str
    message: str
    fix: str

    def line(self) -> str:
        return f"{self.role} model {self.model}: {self.message}; {self.fix}"


def _checked(models: ModelsConfig) -> list[tuple[str, RoleModel]]:
    """Each (model, endpoint, key) that goes through litellm once, with the roles that use it ("grader and judge")."""
    roles: dict[tuple[str, str | None, str | None], list[str]] = {}
    configs: dict[tuple[str, str | None, str | None], RoleModel] = {}
    for role in ROLES:
        base = models.role(role)
        # A panel's every member is called, so every member is checked.
        for config in [base.member(k) for k in range(len(base.panel))] or [base]:
            if not via_litellm(config.model):
                continue  # served in process: no key, endpoint or window to check
            key = (config.model, config.api_base, config.api_key_env)
            if role not in roles.setdefault(key, []):
                roles[key].append(role)
            configs.setdefault(key, config)
    return [
        (" and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names), configs[key])
        for key, names in roles.items()
    ]


def _key_problem(role: str, config: RoleModel, needed: tuple[str, ...] | list[str]) -> Problem | None:
    missing = [name for name in needed if not os.environ.get(name)]
    if not missing:
        return None
    names = " and ".join(missing)
    return Problem(
        role, config.model, f"{names} {'is' if len(missing) == 1 else 'are'} not set", f"export {names} (or set api_key_env)"
    )


def credential_problems(models: ModelsConfig) -> list[Problem]:
    """Missing API keys that can be told without litellm: a role's `api_key_env`, or a common provider's key."""
    problems = []
    for role, config in _checked(models):
        if config.api_key_env:
            problem = _key_problem(role, config, (config.api_key_env,))
        elif config.api_base:
            problem = None  # an OpenAI-compatible server of one's own may need no key; api_key_env names one if it does
        else:
            problem = _key_problem(role, config, PROVIDER_KEYS.get(config.model.split("/", 1)[0], ()))
        if problem is not None:
            problems.append(problem)
    return problems


def provider_problems(models: ModelsConfig, longest_prompt_chars: int) -> list[Problem]:
    """What litellm says: models it does not know, keys of other providers, prompts over the context window, and
    `api_base` endpoints that do not answer. Imports litellm, so only for runs that use it."""
    checked = _checked(models)
    if not checked:
        return []
    litellm = import_litellm()
    problems = []
    for role, config in checked:
        try:
            _, provider, _, _ = litellm.get_llm_provider(config.model, api_base=config.api_base)
        except Exception:  # litellm raises its BadRequestError for a model string it cannot route
            problems.append(
                Problem(role, config.model, "litellm does not know this model", "use provider/model, e.g. openai/gpt-4o-mini")
            )
            continue
        if config.api_base:
            problems += _endpoint_problem(role, config)
        elif not config.api_key_env and provider not in PROVIDER_KEYS:
            found = litellm.validate_environment(config.model)
            if problem := _key_problem(role, config, found.get("missing_keys") or []):
                problems.append(problem)
        problems += _context_problem(litellm, role, config, longest_prompt_chars)
    return problems


def _endpoint_problem(role: str, config: RoleModel) -> list[Problem]:
    url = str(config.api_base).rstrip("/") + "/models"
    try:
        urllib.request.urlopen(url, timeout=ENDPOINT_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        return []  # it answered, if only to refuse this path
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return [
            Problem(
                role,
                config.model,
                f"the endpoint {config.api_base} does not answer ({reason})",
                "start the server or fix api_base",
            )
        ]
    return []


def _context_problem(litellm: Any, role: str, config: RoleModel, longest_prompt_chars: int) -> list[Problem]:
    try:
        window = litellm.get_model_info(config.model).get("max_input_tokens") or 0
    except Exception:  # a model outside litellm's price map (a self-hosted one): its window is unknown
        return []
    needed = longest_prompt_chars // CHARS_PER_TOKEN + config.max_tokens
    if window and needed > window:
        return [
            Problem(
                role,
                config.model,
                f"the longest prompt this run can build is about {needed:,} tokens, over its {window:,}-token context window",
                "choose a model with a longer context or lower max_tokens",
            )
        ]
    return []


def longest_prompt_chars(scenario: Any, prompts: Any, models: ModelsConfig, max_turns: int) -> int:
    """The length of the longest prompt a run can send: the grader's, over a transcript of `max_turns` turns each as
    long as its role may speak (the other roles' prompts carry the same conversation and less besides)."""
    from agents.records import CandidateIdentity, Turn
    from agents.roles.grader import grader_messages
    from agents.roles.interviewer import INTRO_TEXT_CHARS

    said = {
        "interviewer": "w " * (INTRO_TEXT_CHARS // 2),
        "candidate": "w " * (models.candidate.max_tokens * CHARS_PER_TOKEN // 2),
    }
    transcript = [
        Turn(index=i, speaker=speaker, text=said[speaker], segment="deep_dives", minute=0.0, duration_minutes=0.0)
        for i, speaker in enumerate(SPEAKERS * (max_turns // 2))
    ]
    messages = grader_messages(prompts["grader"], scenario, transcript, CandidateIdentity(name="Candidate"))
    return sum(len(m["content"]) for m in messages)
