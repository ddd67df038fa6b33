"""`interview-harness serve`: a local web app for practising the interview and reading stored runs.

Server-rendered pages (Starlette, Jinja templates with autoescaping: every answer, turn and quote is shown as
text). Practice sessions live in the same SQLite checkpoint file as the terminal's, so a page refresh or a
server restart picks a session up where it stopped.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from agents.gateway import Gateway
from agents.practice import SESSIONS_FILE, PracticeBook, open_book
from agents.prompting import PromptSet
from evals.loading import Library
from evals.report_html import CSS
from evals.run_config import RunConfig
from scenarios.model import Scenario

TOKEN_COOKIE = "interview_harness_token"
_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("evals.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass
class ServeSettings:
    """What the app serves: the results database, the library, the practice models and who may connect."""

    db: Path
    library: Library
    scenario: Scenario
    gateway: Gateway
    prompts: PromptSet
    config: RunConfig  # how a finished practice interview is stored as a run
    token: str | None = None
    store: bool = True
    # One practice step at a time per session: a double-clicked button must not answer twice.
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @property
    def sessions_path(self) -> Path:
        return self.db.parent / SESSIONS_FILE

    def lock(self, session_id: str) -> asyncio.Lock:
        return self.locks.setdefault(session_id, asyncio.Lock())


def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A rendered template; a variable the template needs but was not given is an error."""
    return HTMLResponse(_templates.get_template(name).render(css=CSS, **values), status_code=status)


def message(title: str, text: str, status: int) -> HTMLResponse:
    return page("message.html", status, title=title, message=text)


def book(request: Request) -> PracticeBook:
    return request.app.state.book


def settings(request: Request) -> ServeSettings:
    return request.app.state.settings


def see_other(url: str) -> RedirectResponse:
    """After a form post: the browser loads `url` with a GET, so a refresh never sends the form again."""
    return RedirectResponse(url, status_code=303)


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
            target = request.url.path + ("?" + "&".join(f"{k}={v}" for k, v in rest) if rest else "")
            response = see_other(target)
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
            return response
        return message("Token needed", "This server needs its token: open the address it printed, with ?token=.", 401)


def create_app(serve: ServeSettings) -> Starlette:
    """The web app over `serve`."""
    from evals.web import practice_pages, results_pages

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_book(serve.sessions_path) as opened:
            app.state.book = opened
            yield

    routes = [*practice_pages.routes(), *results_pages.routes()]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(TokenGate)])
    app.state.settings = serve
    return app
