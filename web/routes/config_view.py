"""The configuration as analysts read it: sources, saved searches and the keyword files."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.audit import Action
from web.deps import Analyst, State, record
from web.templating import render

router = APIRouter()
MAX_FILE = 200_000


@router.get("/config")
def config_page(request: Request, state: State, who: Analyst) -> Response:
    config = state.settings.config
    context: dict[str, Any] = {"config": config, "sources": [], "searches": [], "keywords": []}
    if config is not None:
        context["sources"] = [
            (s, str(config.source_origins.get(n, ""))) for n, s in sorted(config.sources.items())
        ]
        context["searches"] = [
            (s, str(config.alert_origins.get(n, ""))) for n, s in sorted(config.alerts.items())
        ]
        for name, path in sorted(config.keyword_files.items()):
            try:
                text = path.read_text(encoding="utf-8")[:MAX_FILE]
            except OSError as error:
                text = f"(cannot be read: {error})"
            context["keywords"].append((name, str(path), text))
    record(state, who, Action.CONFIG, "view")
    return render(request, "config.html", context)
