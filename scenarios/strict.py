"""The strict pydantic bases every data file model and record builds on."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown fields are an error, so a typo in a file or a record never passes silently."""

    model_config = ConfigDict(extra="forbid")


class FrozenModel(BaseModel):
    """A strict model that cannot change once loaded: scenario and persona files."""

    model_config = ConfigDict(extra="forbid", frozen=True)
