"""The Jinja2 environment: autoescaping always on, undefined names an error, and the few
helpers the templates use (local times, routes, links that are safe to follow).

:func:`render` is how every page is answered; it adds the logged-in user (for the menu and
the CSRF field of every form) to the context.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from web import present
from web.security import web_link

TEMPLATES = Path(__file__).with_name("templates")


def make_environment(timezone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name: advert text is hostile
        undefined=StrictUndefined,
        # Every printed value (advert text included) shows bidi overrides instead of obeying them.
        finalize=present.visible,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code; no stat() per request
    )
    env.globals.update(
        route_text=present.route_text,
        price_lines=present.price_lines,
        contacts=present.contacts,
        web_link=web_link,
    )
    env.filters["local"] = lambda value, with_time=True: present.local_time(value, timezone, with_time)
    # The audit log keeps the exact URL-encoded query; people read it decoded.
    env.filters["readable_query"] = lambda value: unquote_plus(value) if isinstance(value, str) else value
    env.filters["number"] = lambda value: f"{value:,}" if isinstance(value, int) else value
    return env


def render(
    request: Request, name: str, context: Mapping[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    env: Environment = request.app.state.templates
    who = getattr(request.state, "principal", None)
    page = env.get_template(name).render(
        {"request": request, "who": who, "path": request.url.path, **(context or {})}
    )
    return HTMLResponse(page, status_code=status_code)
