"""The officers' web app: ``create_app(settings)`` gives the ASGI application.

Imports ``indexer`` and ``alerts``, never ``crawlers`` (tests check it). There is no
OpenAPI page: every route needs a login, and the interactive docs would load scripts from a
CDN. Static files (one style sheet, one small script) are the only thing served without a
session; they hold nothing but layout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from radar.logs import get_logger
from web.deps import CsrfError, ForbiddenError, LoginRequiredError
from web.routes import (
    admin_addresses,
    adverts,
    audit_log,
    auth,
    config_view,
    export,
    pivot,
    saved,
    search,
    trends,
    users,
)
from web.routes.workbench_routers import WORKBENCH_ROUTERS
from web.security import SecurityHeaders
from web.settings import WebSettings
from web.state import WebState
from web.templating import make_environment, render

log = get_logger("web.app")
STATIC = Path(__file__).with_name("static")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _login_required(request: Request, _: Exception) -> Response:
    if _is_api(request):
        return JSONResponse({"error": "login required"}, status_code=401)
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)
    return RedirectResponse("/login", status_code=303)


async def _forbidden(request: Request, error: Exception) -> Response:
    what = error.permission.value if isinstance(error, ForbiddenError) else "this"
    message = f"Your role does not allow {what}. Ask an admin if you need it."
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=403)
    return render(request, "error.html", {"title": "Not allowed", "message": message}, 403)


async def _csrf(request: Request, _: Exception) -> Response:
    message = "The form was too old or did not come from this site. Reload the page and try again."
    return render(request, "error.html", {"title": "Form refused", "message": message}, 403)


async def _search_down(request: Request, error: Exception) -> Response:
    log.error("Elasticsearch request failed", extra={"path": request.url.path, "error": str(error)[:500]})
    message = (
        "The search cluster did not answer or refused the request. "
        "Try again in a minute; tell the operator if it lasts."
    )
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=503)
    return render(request, "error.html", {"title": "Search unavailable", "message": message}, 503)


async def _no_index(request: Request, error: Exception) -> Response:
    alias = request.app.state.web.settings.alias
    message = f"There is no adverts index {alias!r} yet: nothing has been indexed. Run `smokkelradar index`."
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=503)
    return render(request, "error.html", {"title": "No adverts yet", "message": message}, 503)


def create_app(settings: WebSettings, client: Elasticsearch | None = None) -> FastAPI:
    """The app, with its stores opened; they are closed when the server shuts down."""
    state = WebState.open(settings, client)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="smokkelradar",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    app.state.templates = make_environment(settings.timezone)
    for module in (
        auth,
        search,
        adverts,
        pivot,
        trends,
        saved,
        export,
        audit_log,
        users,
        admin_addresses,
        config_view,
    ):
        app.include_router(module.router)
    for router in WORKBENCH_ROUTERS:  # the analysts' workbench and the advert page's labels
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(ForbiddenError, _forbidden)
    app.add_exception_handler(CsrfError, _csrf)
    app.add_exception_handler(NotFoundError, _no_index)
    app.add_exception_handler(ApiError, _search_down)
    app.add_exception_handler(TransportError, _search_down)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    return app
