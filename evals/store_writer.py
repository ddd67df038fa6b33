"""Interviews committed on a thread of their own, in batches, so the event loop never waits on DuckDB.

`save` hands an interview over and returns an awaitable that completes once its transaction has
committed: an interview reported done is durable. Whatever queued while one batch was committing
goes into the next transaction together.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from concurrent.futures import Future

from agents.records import InterviewResult
from evals.store import Store

_STOP = object()


class StoreWriter:
    """A writer thread for one run's interviews; use as a context manager around the run's event loop."""

    def __init__(self, store: Store, run_id: str):
        self.store, self.run_id = store, run_id
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
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
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
