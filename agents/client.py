"""The model client seam every agent talks through: one `complete` call per model turn.

`agents.models.gateway.GatewaySession` is the real implementation; anything with the same method
(a test double, another gateway) can stand in for it.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, overload

from pydantic import BaseModel

from agents.records import CallRecord

Output = TypeVar("Output", bound=BaseModel)
Messages = list[dict[str, str]]


class ModelClient(Protocol):
    """Asks a role's model for text or for a validated `output_type`, and keeps a record of every call."""

    calls: list[CallRecord]

    def panel(self, role: str) -> list[str]:
        """The models of `role`'s panel, each asked with `member=k`; empty when one model plays the role."""
        ...

    @overload
    async def complete(
        self,
        role: str,
        messages: Messages,
        output_type: None = None,
        *,
        max_tokens_floor: int | None = None,
        member: int | None = None,
    ) -> str: ...

    @overload
    async def complete(
        self,
        role: str,
        messages: Messages,
        output_type: type[Output],
        *,
        max_tokens_floor: int | None = None,
        member: int | None = None,
    ) -> Output: ...
