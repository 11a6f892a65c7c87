"""Vocabulary discovery in the browser: ``keywords suggest`` and, one click per term, ``keywords accept``.

Suggestions are ``workbench.suggest.suggest`` (Elasticsearch's ``significant_text`` per language
over recent relevant adverts); each comes with a form that writes the term into a live keyword
file through ``workbench.accept.accept_term`` — the same edit as the CLI's ``keywords accept``:
the term at its place in the file, comments and layout kept, the file checked again and put back
when the term would be an error. The form names the file by its name in the live folder and the
place by a concern the file holds; nothing else can be written.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from radar.config.problems import ConfigError
from radar.errors import RadarError
from web.deps import Analyst, CheckedForm, State
from web.routes.workbench import no_configuration, refused
from web.routes.workbench_common import (
    NoConfigurationError,
    WorkbenchAction,
    audit,
    file_names,
    live_file,
    live_folder,
)
from web.templating import render
from workbench.accept import concerns_of
from workbench.keyword_sets import load_files
from workbench.sample import since_moment

router = APIRouter()
LANGUAGE = re.compile(r"[a-z]{2,3}|any")
MAX_TERM = 80


def places(state: State) -> list[tuple[str, str]]:
    """(``file|concern``, label) of every place a term can be accepted into, file by file."""
    found = []
    for name in file_names(state):
        path = live_file(state, name)
        for concern in concerns_of(path) if path is not None else []:
            found.append((f"{name}|{concern}", f"{name}: {concern}"))
    return found


@router.get("/workbench/suggest")
def suggest_form(request: Request, state: State, who: Analyst) -> Response:
    try:
        live_folder(state)
    except NoConfigurationError:
        return no_configuration(request)
    form = {"lang": "", "since": "30d", "min_score": "0.5", "size": "15"}
    audit(state, who, WorkbenchAction.WORKBENCH, "suggest form")
    return render(request, "workbench/suggest.html", {"form": form, "found": None, "places": []})


@router.post("/workbench/suggest")
def suggest(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    from nlp.resources import Resources
    from nlp.vocabulary import merge
    from workbench.suggest import suggest as find_suggestions

    fields = {k: str(form.get(k) or "").strip() for k in ("lang", "since", "min_score", "size")}
    languages = [lang for lang in fields["lang"].replace(",", " ").split() if lang]
    if any(not LANGUAGE.fullmatch(lang) for lang in languages):
        return refused(request, "Not run", "Languages are codes like en, ar, fa, separated by spaces.")
    try:
        min_score = float(fields["min_score"] or 0.5)
        size = max(1, min(200, int(fields["size"] or 15)))
        since = since_moment(fields["since"] or "30d")
        files = load_files(live_folder(state))
    except NoConfigurationError:
        return no_configuration(request)
    except (ValueError, RadarError) as error:
        return refused(request, "Not run", str(error))
    except ConfigError as error:
        return refused(request, "The keywords are not valid", "; ".join(str(p) for p in error.problems[:20]))
    folder = Resources(merge(files)).folder
    found = find_suggestions(
        state.client, state.settings.alias, files, folder, languages=tuple(languages), since=since,
        min_score=min_score, size=size,
    )  # fmt: skip
    query = f"lang={','.join(languages) or 'all'}; since={fields['since'] or '30d'}; min_score={min_score}"
    audit(state, who, WorkbenchAction.SUGGEST, query, len(found), ", ".join(s.term for s in found[:20]))
    context: dict[str, Any] = {"form": fields, "found": found, "places": places(state)}
    return render(request, "workbench/suggest.html", context)


@router.post("/workbench/accept")
def accept(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    from workbench.accept import accept_term

    term = " ".join(str(form.get("term") or "").split())
    name, _, concern = str(form.get("place") or "").partition("|")
    lang = str(form.get("lang") or "any").strip() or "any"
    if not term or len(term) > MAX_TERM:
        return refused(request, "Not accepted", f"A term has 1 to {MAX_TERM} characters.")
    if not LANGUAGE.fullmatch(lang):
        return refused(request, "Not accepted", f"{lang!r} is not a language code (or any).")
    try:
        path = live_file(state, name)
        if path is None or concern not in concerns_of(path):
            return refused(request, "Not accepted", "Pick a place from the list.")
        accepted = accept_term(path, term, concern, lang)
    except NoConfigurationError:
        return no_configuration(request)
    except RadarError as error:
        audit(state, who, WorkbenchAction.ACCEPT, term, 0, f"refused: {name} {concern} {lang}: {error}")
        return render(request, "error.html", {"title": "Not accepted", "message": str(error)}, 409)
    where = f"{name}:{accepted.line}"
    audit(state, who, WorkbenchAction.ACCEPT, term, 1, f"{where}: {accepted.key_path}")
    context = {
        "term": term,
        "where": where,
        "accepted": accepted,
        "warnings": [str(w) for w in accepted.warnings],
    }
    return render(request, "workbench/accepted.html", context)
