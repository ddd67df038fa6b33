"""Name sets for name-swap probes and twins, and the swap itself: a candidate's name and pronouns, nothing else.

The packaged sets are in `name_sets.yaml`, with their sources; `probe --name-sets FILE` reads others.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from agents.records import CandidateIdentity
from evals.loading import parse_yaml
from scenarios.strict import FrozenModel

PACKAGED = "name_sets.yaml"
PronounSet = Literal["she/her", "he/him", "they/them"]
# subject, object, possessive determiner, possessive pronoun, reflexive
FORMS: dict[str, tuple[str, str, str, str, str]] = {
    "she/her": ("she", "her", "her", "hers", "herself"),
    "he/him": ("he", "him", "his", "his", "himself"),
    "they/them": ("they", "them", "their", "theirs", "themselves"),
}
_PLURAL = {"is": "are", "was": "were", "has": "have", "does": "do"}  # the verb after a subject 'they'
_FUNCTION_WORDS = frozenset("about to that the a an and in on for with at as so if when because from by or but".split())


class NameSet(FrozenModel):
    """Names that read as one group, with the pronouns that go with them."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Set id, e.g. black_woman.")
    race: str = Field(description="Perceived race or ethnicity of the names; 'unspecified' keeps the set out of race ratios.")
    gender: str = Field(description="Perceived gender of the names.")
    pronouns: PronounSet = Field(description="Pronouns a swap gives the candidate.")
    source: str = Field(description="Key into the file's sources.")
    names: list[str] = Field(min_length=1, description="Full names, first and last.")


class NameSetsFile(FrozenModel):
    """A name-sets file: where the names come from, and the sets."""

    version: Literal[1] = Field(description="File format version.")
    sources: dict[str, str] = Field(description="Citation per source key.")
    sets: list[NameSet] = Field(min_length=2, description="At least two sets, so there is something to compare.")

    @model_validator(mode="after")
    def _consistent(self) -> NameSetsFile:
        ids = [s.id for s in self.sets]
        if len(set(ids)) != len(ids):
            raise ValueError(f"set ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        unknown = sorted({s.source for s in self.sets} - set(self.sources))
        if unknown:
            raise ValueError(f"sets cite sources the file does not list: {unknown}")
        return self


def load_name_sets(path: Path | None = None) -> tuple[list[NameSet], str]:
    """The sets of `path` (the packaged file when None) and the file's sha256; ValueError naming the file and field."""
    label = str(path) if path is not None else f"evals/{PACKAGED}"
    text = (
        Path(path).read_text(encoding="utf-8")
        if path is not None
        else resources.files("evals.probes").joinpath(PACKAGED).read_text("utf-8")
    )
    try:
        parsed = NameSetsFile.model_validate(parse_yaml(text))
    except ValidationError as exc:
        where = ".".join(map(str, exc.errors()[0]["loc"])) or "(file)"
        raise ValueError(f"{label}: {where}: {exc.errors()[0]['msg']}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"{label}: not valid YAML: {exc}") from exc
    return parsed.sets, hashlib.sha256(text.encode("utf-8")).hexdigest()


def pick_name(name_set: NameSet, seed: int) -> str:
    """One name of the set, the same one every time for this interview's seed."""
    digest = hashlib.sha256(f"{name_set.id}:{seed}".encode()).digest()
    return name_set.names[int.from_bytes(digest[:4], "big") % len(name_set.names)]


def _word(token: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(token)}(?![\w-])")


def _pronoun_swap(sentence: str, old: str, new: str) -> str:
    """The candidate's pronouns in one sentence, `old` forms to `new` ones; 'they' takes plural verbs."""
    subject, obj, determiner, possessive, reflexive = FORMS[old]
    to = dict(zip(("subject", "object", "determiner", "possessive", "reflexive"), FORMS[new]))

    def swap(match: re.Match[str]) -> str:
        word, after = match.group(1), match.group(2) or ""
        low, following = word.lower(), after.strip().lower()
        before_word = bool(following) and following not in _FUNCTION_WORDS
        if low == subject:
            now = to["subject"]
            if new == "they/them":
                after = after.replace(following, _PLURAL.get(following, following)) if following else after
            elif old == "they/them":
                singular = {v: k for k, v in _PLURAL.items()}
                after = after.replace(following, singular.get(following, following)) if following else after
        elif low == reflexive:
            now = to["reflexive"]
        elif low == obj == determiner:  # 'her': a determiner before a word, an object otherwise
            now = to["determiner"] if before_word else to["object"]
        elif low == determiner == possessive:  # 'his': a determiner before a word, a pronoun otherwise
            now = to["determiner"] if before_word else to["possessive"]
        elif low == obj:
            now = to["object"]
        elif low == determiner:
            now = to["determiner"]
        else:
            now = to["possessive"]
        return (now.capitalize() if word[0].isupper() else now) + after

    forms = "|".join(sorted(set(FORMS[old]), key=len, reverse=True))
    return re.sub(rf"\b({forms})\b(\s+[A-Za-z]+)?", swap, sentence, flags=re.IGNORECASE)


def swap_identity(text: str, old: CandidateIdentity, new_name: str, new_pronouns: str) -> str:
    """`text` with the candidate's name (full, first or last) and, in sentences naming them, their pronouns replaced."""
    old_parts, new_parts = old.name.split(), new_name.split()
    pairs = [(old.name, new_name)]
    if len(old_parts) > 1:
        pairs += [(old_parts[0], new_parts[0]), (old_parts[-1], new_parts[-1])]
    named = any(_word(token).search(text) for token, _ in pairs)
    if not named:
        return text
    sentences = re.split(r"(?<=[.!?])(\s+)", text)
    out = []
    for sentence in sentences:
        mentions = any(_word(token).search(sentence) for token, _ in pairs)
        for token, replacement in pairs:
            sentence = _word(token).sub(replacement, sentence)
        if mentions and old.pronouns in FORMS and old.pronouns != new_pronouns:
            sentence = _pronoun_swap(sentence, old.pronouns, new_pronouns)
        out.append(sentence)
    return "".join(out)
