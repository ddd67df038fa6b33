"""The gateway's response cache: successful replies in a small SQLite file, keyed by request.

A separate SQLite file (not the DuckDB results database) because DuckDB admits one writing
process per file, while several runs may share this cache.

Replies are written behind: kept in memory and committed together, every `FLUSH_ROWS` replies or
`FLUSH_AFTER_S` seconds, on `flush` and `close`, and when the process exits. A commit per reply cost
about a tenth of a millisecond of the event loop's time on every call. Every cache on the same file
in this process reads the replies not yet committed; another process sees them once they are.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import sqlite3
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.output_schema import by_identity

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
# Replies kept in memory before a commit, at most, and for at most this long (checked at each put).
FLUSH_ROWS = 256
FLUSH_AFTER_S = 1.0
_INSERT = "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)"


def cache_key(
    model: str,
    messages: list[dict[str, Any]],
    params: dict[str, Any],
    schema: dict[str, Any] | None,
) -> str:
    """sha256 over everything that can change a reply: model, messages, parameters, output schema.

    Message texts and the schema are hashed behind their lengths (texts as UTF-8, the schema as canonical JSON made
    once per schema), the rest as canonical JSON: JSON-escaping a prompt's 10-20 KB cost about 80 µs a call, more than
    all else the harness does for it, and encoding the schema again about 10 µs."""
    texts = [m["content"] if isinstance(m.get("content"), str) else None for m in messages]
    frame = {
        "model": model,
        "params": params,
        # A message's text is left out of the JSON only when it is hashed below, as a string.
        "messages": [m if text is None else {k: v for k, v in m.items() if k != "content"} for m, text in zip(messages, texts)],
    }
    digest = hashlib.sha256(_CANONICAL.encode(frame).encode("utf-8"))
    for part in [
        None if schema is None else _schema_json(schema),
        *(None if t is None else t.encode("utf-8", "surrogatepass") for t in texts),
    ]:
        digest.update(b"\0%d\0" % (-1 if part is None else len(part)))
        digest.update(part or b"")
    return digest.hexdigest()


def _encode_schema(schema: dict[str, Any]) -> bytes:
    return _CANONICAL.encode(schema).encode("utf-8")


# A run asks with the same few schemas thousands of times: each is encoded once, so a schema must not change once it
# has made a key (the gateway's come from `output_schema.json_schema`, which hands out each one for good).
_schema_json = by_identity(_encode_schema, limit=256)


@dataclass(frozen=True)
class CachedResponse:
    """A stored reply and the token counts of the call that produced it."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_known: bool


Row = tuple[str, str, str, int, int, int, float]  # the columns of `responses`, in order


class _Pending:
    """Replies put to one cache file and not yet committed, shared by every ResponseCache on it in this process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: dict[str, Row] = {}
        self.since = 0.0  # when the oldest of `rows` was put
        self.lock = threading.Lock()  # taken before a cache's connection lock, never after


_PENDING: dict[Path, _Pending] = {}
_PENDING_LOCK = threading.Lock()


def _pending_for(path: Path) -> _Pending:
    key = path.resolve()
    with _PENDING_LOCK:
        if key not in _PENDING:
            _PENDING[key] = _Pending(key)
        return _PENDING[key]


class ResponseCache:
    """SQLite-backed map from cache key to reply, written behind (see the module); the file is created on first use."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._pending = _pending_for(self.path)
        self._unreadable = False

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
        """The stored reply for `key`, or None (always, once the file was found unreadable)."""
        if self._unreadable:
            return None
        pending = self._pending.rows.get(key)
        if pending is not None:
            return _response(pending[2:])
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
        except sqlite3.Error as exc:
            # An unusable cache must not fail the run: it is off from here on, and every call a miss.
            warnings.warn(f"response cache {self.path} unreadable, not used: {exc}", RuntimeWarning, stacklevel=2)
            self._unreadable = True
            return None
        return None if row is None else _response(row)

    def put(self, key: str, model: str, response: CachedResponse) -> None:
        """Store a successful reply (callers never store errors), committed with others soon; a failed write only warns,
        and nothing is stored once the file was found unreadable."""
        if self._unreadable:
            return
        row: Row = (
            key,
            model,
            response.text,
            response.prompt_tokens,
            response.completion_tokens,
            int(response.cost_known),
            time.time(),
        )
        pending = self._pending
        with pending.lock:
            if not pending.rows:
                pending.since = time.monotonic()
            pending.rows[key] = row
            due = len(pending.rows) >= FLUSH_ROWS or time.monotonic() - pending.since >= FLUSH_AFTER_S
        if due:
            self.flush()

    def flush(self) -> None:
        """Commit the replies put to this file and not yet committed; a failed write only warns (they are dropped)."""
        pending = self._pending
        with pending.lock:
            if not pending.rows:
                return
            try:
                with self._lock:
                    conn = self._connection()
                    conn.executemany(_INSERT, list(pending.rows.values()))
                    conn.commit()
            except sqlite3.Error as exc:
                warnings.warn(f"response cache {self.path} not writable: {exc}", RuntimeWarning, stacklevel=2)
            finally:
                pending.rows.clear()

    def __len__(self) -> int:
        self.flush()
        with self._lock:
            return self._connection().execute("SELECT COUNT(*) FROM responses").fetchone()[0]

    def close(self) -> None:
        """Commit what is pending and close the database connection (it reopens on next use)."""
        self.flush()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _response(columns: tuple[Any, ...]) -> CachedResponse:
    """A reply from its stored columns: text, prompt tokens, completion tokens, cost known."""
    text, prompt_tokens, completion_tokens, cost_known = columns[:4]
    return CachedResponse(
        text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_known=bool(cost_known)
    )


@atexit.register
def _flush_all() -> None:
    """Commit every file's pending replies when the process ends (unless its folder is gone: a test's, say)."""
    for pending in list(_PENDING.values()):
        if pending.rows and pending.path.parent.is_dir():
            ResponseCache(pending.path).close()
