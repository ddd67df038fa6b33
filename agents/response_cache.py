"""The gateway's response cache: successful replies in a small SQLite file, keyed by request.

A separate SQLite file (not the DuckDB results database) because DuckDB admits one writing
process per file, while several runs may share this cache.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_known INTEGER NOT NULL,
    created_at REAL NOT NULL
)
"""


# One encoder for every key: `json.dumps` with options builds a new one each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cache_key(
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    schema: dict[str, Any] | None,
) -> str:
    """sha256 over everything that can change a reply: model, messages, parameters, output schema.

    Message texts are hashed as UTF-8 behind their lengths, the rest as canonical JSON: JSON-escaping a prompt's
    10-20 KB cost about 80 µs a call, more than all else the harness does for it."""
    texts = [m["content"] if isinstance(m.get("content"), str) else None for m in messages]
    frame = {
        "model": model,
        "params": params,
        "schema": schema,
        # A message's text is left out of the JSON only when it is hashed below, as a string.
        "messages": [m if text is None else {k: v for k, v in m.items() if k != "content"} for m, text in zip(messages, texts)],
    }
    digest = hashlib.sha256(_CANONICAL.encode(frame).encode("utf-8"))
    for text in texts:
        encoded = b"" if text is None else text.encode("utf-8", "surrogatepass")
        digest.update(b"\0%d\0" % (-1 if text is None else len(encoded)))
        digest.update(encoded)
    return digest.hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    """A stored reply and the token counts of the call that produced it."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_known: bool


class ResponseCache:
    """SQLite-backed map from cache key to reply; the file is created on first use."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            # A commit then waits for no disk flush: a reply survives the process ending, and only a machine crash can
            # lose the last ones, which are asked again.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
            conn.commit()
            self._conn = conn
        return self._conn

    def get(self, key: str) -> CachedResponse | None:
        """The stored reply for `key`, or None."""
        try:
            with self._lock:
                row = (
                    self._connection()
                    .execute(
                        "SELECT text, prompt_tokens, completion_tokens, cost_known FROM responses WHERE key = ?",
                        (key,),
                    )
                    .fetchone()
                )
        except sqlite3.Error as exc:  # an unusable cache must not fail the run: treat as a miss
            warnings.warn(f"response cache {self.path} unreadable: {exc}", RuntimeWarning, stacklevel=2)
            return None
        if row is None:
            return None
        return CachedResponse(text=row[0], prompt_tokens=row[1], completion_tokens=row[2], cost_known=bool(row[3]))

    def put(self, key: str, model: str, response: CachedResponse) -> None:
        """Store a successful reply (callers never store errors); a failed write only warns."""
        row = (
            key,
            model,
            response.text,
            response.prompt_tokens,
            response.completion_tokens,
            int(response.cost_known),
            time.time(),
        )
        try:
            with self._lock:
                conn = self._connection()
                conn.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                conn.commit()
        except sqlite3.Error as exc:
            warnings.warn(f"response cache {self.path} not writable: {exc}", RuntimeWarning, stacklevel=2)

    def __len__(self) -> int:
        with self._lock:
            return self._connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        """Close the database connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
