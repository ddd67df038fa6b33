"""The circuit breaker: a model that fails the same way several calls in a row stops the run.

Without it, an outage or a revoked key burns through every interview of a run, each one retried and
recorded as an infrastructure error. With it, the run stops with that error, keeps what finished, and
`--resume` carries on once the cause is fixed.
"""

from __future__ import annotations

import re

from agents.models.providers.base import ModelCallError

# Digits (request ids, timings, counts) differ between two failures that are the same failure.
_VARYING = re.compile(r"\d+(?:\.\d+)?")


class CircuitOpenError(ModelCallError):
    """The breaker is open: no more calls are made in this run."""


class CircuitBreaker:
    """Counts consecutive identical failures per model; at `threshold` it trips, and stays tripped."""

    def __init__(self, threshold: int = 5):
        self.threshold = threshold
        self.tripped: str | None = None
        self._last: dict[str, tuple[str, int]] = {}

    def failed(self, model: str, message: str) -> None:
        signature = _VARYING.sub("#", message)
        previous, count = self._last.get(model, ("", 0))
        count = count + 1 if signature == previous else 1
        self._last[model] = (signature, count)
        if count >= self.threshold and self.tripped is None:
            self.tripped = f"{model} failed {count} calls in a row the same way, so the run stopped: {message}"

    def succeeded(self, model: str) -> None:
        self._last.pop(model, None)
