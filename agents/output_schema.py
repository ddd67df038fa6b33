"""Structured-output schemas built at run time, narrowed to what this scenario and this turn allow.

A weak model cannot pick an id that does not exist when the schema only offers the real ones, so
enums are made from the scenario's ids (and the turn's options) when the call is made.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from functools import cache, wraps
from types import GenericAlias
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, create_model
from pydantic.fields import FieldInfo

from scenarios.strict import StrictModel

Base = TypeVar("Base", bound=StrictModel)
Key = TypeVar("Key")
Built = TypeVar("Built")


def one_of(values: Iterable[Any]) -> Any:
    """A Literal type of exactly these values."""
    return Literal[tuple(values)]


def list_of(item: Any) -> Any:
    """`list[item]` for an item type that only exists at run time."""
    return GenericAlias(list, (item,))


# Building a pydantic class costs about a millisecond, and a run asks for the same few shapes thousands
# of times (one interviewer schema per turn), so each distinct shape is built once per process.
_BUILT: dict[Hashable, type] = {}


def _shape(value: Any) -> Hashable:
    """A hashable key that tells two field definitions apart exactly (a class by identity, not by name)."""
    if isinstance(value, FieldInfo):
        return ("field", repr(value))
    if isinstance(value, type):
        return ("class", id(value))
    if get_origin(value) is not None:
        return ("generic", _shape(get_origin(value)), tuple(_shape(arg) for arg in get_args(value)))
    if isinstance(value, tuple):
        return tuple(_shape(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return ("value", type(value).__name__, value)


def output_model(name: str, base: type[Base], **fields: Any) -> type[Base]:
    """A strict model called `name` with `fields` (pydantic field definitions) on top of `base`; built once per shape."""
    key = (name, id(base), tuple((field, _shape(definition)) for field, definition in fields.items()))
    if key not in _BUILT:
        _BUILT[key] = create_model(name, __base__=base, **fields)
    return _BUILT[key]


def by_identity(build: Callable[[Key], Built], limit: int | None = None) -> Callable[[Key], Built]:
    """Cache `build(obj)` per object, by identity: for objects that do not change once built from, such as the
    schemas of a scenario, which is frozen and lives all run. With `limit`, at most that many are kept: then they
    start over.

    Entries keep their object alive, so an id is never reused while it is cached."""
    built: dict[int, tuple[Key, Built]] = {}

    @wraps(build)
    def cached(obj: Key) -> Built:
        entry = built.get(id(obj))
        if entry is None:
            if limit is not None and len(built) >= limit:
                built.clear()
            entry = built[id(obj)] = (obj, build(obj))
        return entry[1]

    return cached


@cache
def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema, computed once per class (callers must not change it)."""
    return model.model_json_schema()
