"""What the pages of the web app share: its settings, template rendering, messages and redirects.

The pages import this module; the app (`app.py`) imports the pages; nothing here imports either.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from agents.interview.practice import SESSIONS_FILE, PracticeBook
from agents.models.gateway import Gateway
from agents.prompting import PromptSet
from evals.loading import Library
from evals.report.html import CSS
from evals.runs.config import PracticeConfig
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
    config: PracticeConfig  # how a finished practice interview is stored as a run
    token: str | None = None
    store: bool = True
    host: str = "127.0.0.1"  # the address it is bound to: the Host header must name it (or a loopback name)
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
