"""The strict pydantic bases every data file model and record builds on."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Unknown fields are an error, so a typo in a file or a record never passes silently."""

    model_config = ConfigDict(extra="forbid")


class FrozenModel(BaseModel):
    """A strict model that cannot change once loaded: scenario and persona files.

    Being frozen, it may keep values derived from its fields (`functools.cached_property`); a copy starts
    without them, since `model_copy(update=...)` changes fields they were derived from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __copy__(self) -> Self:
        return _underived(super().__copy__())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return _underived(super().__deepcopy__(memo))


def _underived(model: M) -> M:
    for name in [key for key in model.__dict__ if key not in type(model).model_fields]:
        del model.__dict__[name]
    return model


def error_fields(error: ValidationError, whole: str) -> list[str]:
    """Each error as "field.path: message", `whole` standing for the field when the error is about the whole value."""
    return [f"{'.'.join(str(part) for part in e['loc']) or whole}: {e['msg']}" for e in error.errors(include_url=False)]
