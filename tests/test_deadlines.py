"""Per-call deadlines on one timer: a late call times out, an early one keeps its answer, a cancelled task stays cancelled."""

from __future__ import annotations

import asyncio

import pytest

from agents.models.deadlines import Deadlines


async def _answer(after: float, value: str = "done") -> str:
    await asyncio.sleep(after)
    return value


def test_a_call_past_its_deadline_times_out_and_one_inside_it_answers():
    async def main() -> list:
        deadlines = Deadlines(asyncio.get_running_loop())
        return await asyncio.gather(
            deadlines.run(_answer(0.01, "fast"), 5),
            deadlines.run(_answer(10), 0.05),
            deadlines.run(_answer(0.02, "also fast"), 0.5),
            return_exceptions=True,
        )

    # The ten-second call ends in TimeoutError, so it was cut at its deadline rather than awaited (wait_for: a guard).
    outcomes = asyncio.run(asyncio.wait_for(main(), 5))
    assert outcomes[0] == "fast" and outcomes[2] == "also fast"
    assert isinstance(outcomes[1], TimeoutError)


def test_a_later_call_with_an_earlier_deadline_is_cut_at_its_own():
    async def main() -> list:
        deadlines = Deadlines(asyncio.get_running_loop())
        first = asyncio.ensure_future(deadlines.run(_answer(0.3, "long wait"), 30))
        await asyncio.sleep(0)
        second = deadlines.run(_answer(10), 0.02)
        return await asyncio.gather(first, second, return_exceptions=True)

    outcomes = asyncio.run(asyncio.wait_for(main(), 5))
    assert outcomes[0] == "long wait"
    assert isinstance(outcomes[1], TimeoutError)


def test_cancelling_the_task_is_not_mistaken_for_a_timeout_and_leaves_the_task_clean():
    async def main() -> tuple[bool, int]:
        deadlines = Deadlines(asyncio.get_running_loop())
        inner = asyncio.ensure_future(deadlines.run(_answer(10), 30))
        await asyncio.sleep(0.01)
        inner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await inner
        # After a timeout the task carries no leftover cancellation request and can go on awaiting.
        this = asyncio.current_task()
        assert this is not None
        with pytest.raises(TimeoutError):
            await deadlines.run(_answer(10), 0.01)
        after = await _answer(0.001, "still runs")
        return after == "still runs", this.cancelling()

    still_runs, pending = asyncio.run(main())
    assert still_runs and pending == 0
