"""When a provider says to try again: `Retry-After` and the rate-limit reset headers, in seconds.

Providers answer a rate limit (429) or an overload (503) with how long to wait. A client that retries
sooner is refused again and spends the budget of retries for nothing, so the gateway waits at least this
long, whatever its own backoff says.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping

# OpenAI-style durations: "1s", "6m0s", "120ms", "1h2m3.5s".
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
RESET_HEADERS = ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")


def _duration(value: str) -> float | None:
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parts = _DURATION.findall(value)
    if parts and "".join(f"{n}{u}" for n, u in parts) == value:
        return sum(float(n) * _UNIT_S[u] for n, u in parts)
    return None


def retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait before the next attempt, from the response headers; None when they do not say."""
    if not headers:
        return None
    found = {k.lower(): v for k, v in headers.items()}
    if (ms := found.get("retry-after-ms")) is not None and (value := _duration(ms)) is not None:
        return value / 1000
    if (after := found.get("retry-after")) is not None:
        if (value := _duration(after)) is not None:
            return value
        try:
            when = email.utils.parsedate_to_datetime(after).timestamp()
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when - (time.time() if now is None else now))
    resets = [v for name in RESET_HEADERS if (raw := found.get(name)) is not None and (v := _duration(raw)) is not None]
    return max(resets) if resets else None
