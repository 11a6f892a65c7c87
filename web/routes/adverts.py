"""One advert: its text with matches and entities marked, what the enrichment found, its
near-duplicate cluster, the evidence files with their SHA-256, and pinning it to a case."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from alerts.fetch import FetchedAdvert, fetch_for_mail
from indexer.locks import writer_lock
from indexer.pins import pin_advert
from indexer.query import SearchRequest, search_query
from indexer.search import search
from radar.errors import RadarError
from web import present
from web.audit import Action
from web.deps import CheckedForm, Officer, Pinner, State, record
from web.results import hit_view
from web.templating import render

router = APIRouter()
DOC_ID = re.compile(r"[0-9a-f]{32}")
CASE_REF = re.compile(r"[\w][\w./ -]{0,79}")
CLUSTER_LIMIT = 200
PIN_WAIT_S = 10.0


class AdvertMissingError(Exception):
    def __init__(self, doc_id: str) -> None:
        super().__init__(doc_id)
        self.doc_id = doc_id


def load_advert(state: State, doc_id: str, query: str = "") -> FetchedAdvert:
    if not DOC_ID.fullmatch(doc_id):
        raise AdvertMissingError(doc_id)
    compiled = search_query(SearchRequest(query=query)) if query.strip() else None
    found = fetch_for_mail(state.client, state.settings.alias, compiled, [doc_id]).get(doc_id)
    if found is None:
        raise AdvertMissingError(doc_id)
    return found


def advert_context(state: State, advert: FetchedAdvert, query: str) -> dict[str, Any]:
    doc = advert.source
    text, title = str(doc.get("text") or ""), str(doc.get("title") or "")
    text_marks = [(s, e, "match") for s, e in advert.highlights.get("text", ())]
    text_marks += present.entity_marks(doc, text)
    title_marks = [(s, e, "match") for s, e in advert.highlights.get("title", ())]
    cluster = doc.get("cluster") or {}
    reposts = []
    if cluster.get("id") and int(cluster.get("size") or 1) > 1:
        request = SearchRequest(cluster=str(cluster["id"]), sort="date", limit=CLUSTER_LIMIT, facets=False)
        reposts = [hit_view(hit) for hit in search(state.client, state.settings.alias, request).hits]
    evidence = [e for e in doc.get("evidence") or [] if isinstance(e, dict)]
    return {
        "doc_id": advert.doc_id,
        "doc": doc,
        "query": query,
        "title_segments": present.segments(title, title_marks),
        "text_segments": present.segments(text, text_marks),
        "route": present.route_text(doc.get("route")),
        "cluster": cluster,
        "reposts": reposts,
        "evidence": evidence,
        "rules": [r for r in doc.get("rules") or [] if isinstance(r, dict)],
        "places": [p for p in doc.get("places") or [] if isinstance(p, dict)],
        "cases": list(doc.get("cases") or []),
        "outlinks": [str(u) for u in doc.get("outlinks") or []],
    }


@router.get("/adverts/{doc_id}")
def advert_page(doc_id: str, request: Request, state: State, who: Officer) -> Response:
    query = request.query_params.get("q", "")[:500]
    try:
        advert = load_advert(state, doc_id, query)
    except AdvertMissingError:
        record(state, who, Action.ADVERT, doc_id, 0, "not found")
        return render(request, "error.html", {"title": "No such advert", "message": _missing(doc_id)}, 404)
    record(state, who, Action.ADVERT, doc_id, 1, f"q={query}" if query else "")
    context = advert_context(state, advert, query)
    context["notice"] = request.query_params.get("pinned", "")[:100]
    return render(request, "advert.html", context)


@router.get("/api/adverts/{doc_id}")
def advert_api(doc_id: str, state: State, who: Officer) -> Response:
    try:
        advert = load_advert(state, doc_id)
    except AdvertMissingError:
        record(state, who, Action.ADVERT, doc_id, 0, "api, not found")
        return JSONResponse({"error": _missing(doc_id)}, status_code=404)
    record(state, who, Action.ADVERT, doc_id, 1, "api")
    source = {k: v for k, v in advert.source.items() if not re.fullmatch(r"(text|title)_[a-z]{2,3}", k)}
    if not who.can("rules"):
        source.pop("rules", None)
        source.pop("score", None)
    return JSONResponse({"doc_id": advert.doc_id, **source})


@router.post("/adverts/{doc_id}/pin")
def pin(doc_id: str, request: Request, state: State, who: Pinner, form: CheckedForm) -> Response:
    case = str(form.get("case") or "").strip()
    if not CASE_REF.fullmatch(case):
        message = "A case reference is 1-80 letters, digits, spaces, '.', '/', '_' or '-', e.g. MDT-2026-041."
        return render(request, "error.html", {"title": "Not pinned", "message": message}, 400)
    try:
        load_advert(state, doc_id)
        with writer_lock(
            state.settings.index_lock_path, "pin an advert from the web", wait_seconds=PIN_WAIT_S
        ):
            advert_id, added = pin_advert(state.client, state.settings.alias, state.pins, doc_id, case)
    except AdvertMissingError:
        return render(request, "error.html", {"title": "No such advert", "message": _missing(doc_id)}, 404)
    except RadarError as error:
        return render(request, "error.html", {"title": "Not pinned", "message": str(error)}, 409)
    record(
        state, who, Action.PIN, doc_id, 1, f"case={case}; advert={advert_id}; {'new' if added else 'already'}"
    )
    return RedirectResponse(f"/adverts/{doc_id}?{urlencode({'pinned': case})}", status_code=303)


@router.get("/adverts/{doc_id}/evidence/{number}")
def evidence(doc_id: str, number: int, request: Request, state: State, who: Officer) -> Response:
    try:
        advert = load_advert(state, doc_id)
    except AdvertMissingError:
        return render(request, "error.html", {"title": "No such advert", "message": _missing(doc_id)}, 404)
    entries = [e for e in advert.source.get("evidence") or [] if isinstance(e, dict)]
    if not 0 <= number < len(entries):
        return render(request, "error.html", {"title": "No such evidence", "message": "Not listed."}, 404)
    entry = entries[number]
    root = state.settings.evidence_dir.resolve()
    path = (root / str(entry.get("path") or "")).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        record(state, who, Action.EVIDENCE, f"{doc_id}/{number}", 0, "file missing")
        message = (
            f"The evidence file {entry.get('path')!s} is not in the evidence folder of this installation."
        )
        return render(request, "error.html", {"title": "Evidence unavailable", "message": message}, 404)
    digest = _sha256(path)
    if digest != entry.get("sha256"):
        record(state, who, Action.EVIDENCE, f"{doc_id}/{number}", 0, f"hash mismatch: {digest}")
        message = (
            f"The file's SHA-256 is {digest}, but {entry.get('sha256')} was recorded when it was captured: "
            "it changed since. It is not served; report this to the operator."
        )
        return render(request, "error.html", {"title": "Evidence changed", "message": message}, 409)
    record(state, who, Action.EVIDENCE, f"{doc_id}/{number}", 1, f"sha256={digest}")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={
            # Always a download: a captured page must never render inside this app's origin.
            "content-disposition": f"attachment; filename*=UTF-8''{quote(path.name)}",
            "x-evidence-sha256": digest,
        },
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _missing(doc_id: str) -> str:
    return f"There is no advert {doc_id!r} in the index (it may have been removed by retention)."
