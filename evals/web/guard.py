"""What every request and response of `serve` passes through: the Host header must name this server (a page on
another site cannot reach it through DNS rebinding), a state-changing request must come from its own pages, and every
response says how a browser may use it (no inline script, no framing, no type sniffing)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from agents.models.providers.litellm_provider import host_is_loopback

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
WILDCARDS = ("0.0.0.0", "::", "")  # bound to every address: any name may reach it, and the token guards it
HEADERS = {
    # Inline styles stay (the report is one self-contained file); scripts only from the app itself; images inline.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: with it a browser sends "Origin: null" on the app's own form posts.
    "Referrer-Policy": "same-origin",
}


def host_name(value: str) -> str:
    """The name in a Host header or an origin's netloc, without its port (an IPv6 address keeps no brackets)."""
    parsed = urlsplit(f"//{value}")
    return (parsed.hostname or "").lower()


def allowed_host(name: str, bound: str) -> bool:
    return bound in WILDCARDS or name == bound.lower().strip("[]") or host_is_loopback(name)


class Guard(BaseHTTPMiddleware):
    """Refuse a Host that is not this server (400) and a cross-origin state-changing request (403); add the headers."""

    async def dispatch(self, request: Request, call_next) -> Response:
        bound = request.app.state.settings.host
        host = request.headers.get("host", "")
        if not allowed_host(host_name(host), bound):
            return _refused(400, f"This server answers to its own address, not to {host_name(host) or 'no host'}.")
        if request.method not in SAFE_METHODS and _foreign(
            request.headers.get("origin"), request.headers.get("sec-fetch-site"), host
        ):
            return _refused(403, "A form from another site cannot change anything here.")
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _foreign(origin: str | None, site: str | None, host: str) -> bool:
    """Whether a state-changing request comes from another site: its Origin names another host, or the browser says
    so (Sec-Fetch-Site); an opaque origin ("null") is foreign unless the browser vouches for it as same-origin."""
    if site in ("cross-site", "same-site"):
        return True
    if origin == "null":
        return site != "same-origin"
    return bool(origin) and urlsplit(origin or "").netloc.lower() != host.lower()


def _refused(status: int, text: str) -> Response:
    response = Response(text + "\n", status_code=status, media_type="text/plain")
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response
