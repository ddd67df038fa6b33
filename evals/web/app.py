"""`interview-harness serve`: a local web app for practising the interview and reading stored runs.

Server-rendered pages (Starlette, Jinja templates with autoescaping: every answer, turn and quote is shown as
text). Practice sessions live in the same SQLite checkpoint file as the terminal's, so a page refresh or a
server restart picks a session up where it stopped.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from agents.interview.practice import open_book
from evals.web import practice_pages, rating_pages, results_pages
from evals.web.common import TOKEN_COOKIE, ServeSettings, message, see_other, settings
from evals.web.guard import Guard

__all__ = ["ServeSettings", "create_app"]


class TokenGate(BaseHTTPMiddleware):
    """Every request carries the token: a bearer header, the cookie, or `?token=` once (which sets the cookie)."""

    async def dispatch(self, request: Request, call_next) -> Response:
        token = settings(request).token
        if token is None:
            return await call_next(request)
        header = request.headers.get("authorization", "")
        given = [header.removeprefix("Bearer ").strip(), request.cookies.get(TOKEN_COOKIE, "")]
        if any(secrets.compare_digest(g.encode(), token.encode()) for g in given if g):
            return await call_next(request)
        in_query = request.query_params.get("token", "")
        if in_query and secrets.compare_digest(in_query.encode(), token.encode()):
            # Into a cookie and out of the address bar (and the history).
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = see_other(target)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
        return message("Token needed", "This server needs its token: open the address it printed, with ?token=.", 401)


def create_app(serve: ServeSettings) -> Starlette:
    """The web app over `serve`."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_book(serve.sessions_path) as opened:
            app.state.book = opened
            yield

    routes = [
        *practice_pages.routes(),
        *results_pages.routes(),
        *rating_pages.routes(),
        Mount("/static", StaticFiles(packages=[("evals.web", "static")]), name="static"),
    ]
    # The guard runs first: a foreign Host or a cross-origin post is refused before the token is even looked at.
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(Guard), Middleware(TokenGate)])
    app.state.settings = serve
    return app
