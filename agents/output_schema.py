"""Structured-output schemas built at run time, narrowed to what this scenario and this turn allow.

A weak model cannot pick an id that does not exist when the schema only offers the real ones, so
enums are made from the scenario's ids (and the turn's options) when the call is made.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import GenericAlias
from typing import Any, Literal, TypeVar

from pydantic import create_model

from scenarios.strict import StrictModel

Base = TypeVar("Base", bound=StrictModel)


def one_of(values: Iterable[Any]) -> Any:
    """A Literal type of exactly these values."""
    return Literal[tuple(values)]


def list_of(item: Any) -> Any:
    """`list[item]` for an item type that only exists at run time."""
    return GenericAlias(list, (item,))


def output_model(name: str, base: type[Base], **fields: Any) -> type[Base]:
    """A strict model called `name` with `fields` (pydantic field definitions) on top of `base`."""
    return create_model(name, __base__=base, **fields)
