"""Interviews committed on a thread of their own, in batches, so the event loop never waits on DuckDB.

`save` hands an interview over and returns an awaitable that completes once its transaction has
committed: an interview reported done is durable. A batch is what arrives within `linger` seconds of
its first interview, plus whatever queued while the previous batch was committing: DuckDB pays about
3 ms per transaction whatever its size, and interviews tend to finish together.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from concurrent.futures import Future

from agents.records import InterviewResult
from evals.store.database import Store

_STOP = object()
# Long enough to gather the interviews that finish on the same round of model calls, short next to an interview.
LINGER_S = 0.05


class StoreWriter:
    """A writer thread for one run's interviews; use as a context manager around the run's event loop."""

    def __init__(self, store: Store, run_id: str, linger: float = LINGER_S):
        self.store, self.run_id, self.linger = store, run_id, linger
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="store-writer", daemon=True)
        self._thread.start()

    def save(self, result: InterviewResult, digest: str | None = None) -> asyncio.Future:
        """Queue `result` (with its digest's JSON); the returned future resolves when it is committed (or raises the
        store's error)."""
        done: Future[None] = Future()
        self._queue.put(((result, digest), done))
        return asyncio.wrap_future(done)

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            batch = self._batch()
            stopping = any(item is _STOP for item in batch)
            items = [item for item in batch if item is not _STOP]
            if not items:
                continue
            try:
                self.store.save_interviews(self.run_id, [interview for interview, _ in items])
            except BaseException as exc:  # noqa: BLE001 — every waiting interview learns why it was not saved
                for _, done in items:
                    done.set_exception(exc)
            else:
                for _, done in items:
                    done.set_result(None)

    def _batch(self) -> list:
        """The next interviews to commit: the first to arrive, and all that follow within `linger` (or until a stop)."""
        batch = [self._queue.get()]
        deadline = time.monotonic() + self.linger
        while batch[-1] is not _STOP:
            try:
                batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch
