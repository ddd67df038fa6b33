"""Per-call timeouts for many concurrent calls on one event loop, with one timer between them.

`asyncio.timeout` builds a scope and schedules (then cancels) a timer on every call: about 20 µs of CPU a
call with hundreds in flight, a large part of the harness's own cost per call. Here each call enters its
deadline in a table, and one timer fires at the earliest deadline in it; a call whose deadline has passed
is cancelled and raises TimeoutError, as under `asyncio.timeout`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class _Watch:
    """One call's deadline, and the task to cancel when it passes."""

    __slots__ = ("deadline", "expired", "task")

    def __init__(self, deadline: float, task: asyncio.Task):
        self.deadline, self.task, self.expired = deadline, task, False


class Deadlines:
    """The deadlines of the calls in flight on one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self._watches: set[_Watch] = set()
        self._timer: asyncio.TimerHandle | None = None

    async def run(self, call: Awaitable[T], seconds: float) -> T:
        """Await `call`; TimeoutError when it is not over `seconds` from now (it is then cancelled)."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Deadlines.run needs a running task")
        watch = _Watch(self._loop.time() + seconds, task)
        self._watches.add(watch)
        if self._timer is None or watch.deadline < self._timer.when():
            self._arm(watch.deadline)
        cancelling = task.cancelling()
        try:
            result = await call
        except asyncio.CancelledError:
            # Ours alone (not also a cancellation of the whole task): the call ran out of time.
            if watch.expired and task.uncancel() <= cancelling:
                raise TimeoutError(f"no answer within {seconds:g}s") from None
            raise
        finally:
            self._watches.discard(watch)
        if watch.expired:
            task.uncancel()  # the call swallowed its cancellation and finished anyway: keep its answer
        return result

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._timer = None
        now = self._loop.time()
        for watch in [w for w in self._watches if w.deadline <= now and not w.expired]:
            watch.expired = True
            watch.task.cancel()
        waiting = [w.deadline for w in self._watches if not w.expired]
        if waiting:
            self._arm(min(waiting))
