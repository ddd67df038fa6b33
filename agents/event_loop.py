"""The event loop runs go on: uvloop where it is installed (Linux and macOS), asyncio's own otherwise.

With hundreds of interviews waiting on their models, most of the harness's CPU per call is the loop
waking up for each answer; uvloop's wake-up and callback costs are about half of asyncio's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop constructor when it can be imported; None (asyncio's default loop) otherwise."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the fastest loop available."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
