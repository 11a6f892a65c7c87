"""Labelling from the advert page: relevant, not relevant, or a field that is wrong.

Officers read the adverts, so they label them too (the ``search`` permission: officers, analysts
and admins). A label is ``workbench.labels.label_advert`` — the same record ``smokkelradar label``
writes to ``<data.state>/labels.sqlite``, with the user, the time, the note and a snapshot of the
advert — and one audit entry. ``smokkelradar eval --labels`` reports the figures on them.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from radar.errors import RadarError
from web.deps import CheckedForm, Officer, State
from web.routes.workbench import no_configuration
from web.routes.workbench_common import WorkbenchAction, audit
from web.templating import render
from workbench.labels import LABEL_FIELDS, VERDICTS, LabelStore, label_advert, labels_path

router = APIRouter()
DOC_ID = re.compile(r"[0-9a-f]{32}")
MAX_NOTE = 500


@router.post("/adverts/{doc_id}/label")
def label(doc_id: str, request: Request, state: State, who: Officer, form: CheckedForm) -> Response:
    config = state.settings.config
    if config is None:
        return no_configuration(request)
    verdict = str(form.get("verdict") or "")
    field = str(form.get("field") or "") or None
    note = " ".join(str(form.get("note") or "").split())[:MAX_NOTE]
    if verdict != "wrong-field":
        field = None  # the field chooser travels with every button; only wrong-field reads it
    if not DOC_ID.fullmatch(doc_id) or verdict not in VERDICTS or (field and field not in LABEL_FIELDS):
        message = (
            f"A label is one of {', '.join(VERDICTS)}; wrong-field names one of {', '.join(LABEL_FIELDS)}."
        )
        return render(request, "error.html", {"title": "Not labelled", "message": message}, 400)
    try:
        with LabelStore(labels_path(config)) as store:
            made = label_advert(
                state.client,
                state.settings.alias,
                store,
                doc_id,
                verdict,
                field=field,
                note=note,
                user=who.name,
            )
    except RadarError as error:
        audit(state, who, WorkbenchAction.LABEL, doc_id, 0, f"{verdict} {field or ''}: {error}")
        return render(request, "error.html", {"title": "Not labelled", "message": str(error)}, 409)
    detail = f"{verdict}{f' {field}' if field else ''}; label {made.id}; advert {made.advert_id}"
    audit(state, who, WorkbenchAction.LABEL, doc_id, 1, detail + (f"; note: {note}" if note else ""))
    shown = f"{verdict} ({field})" if field else verdict
    return RedirectResponse(f"/adverts/{doc_id}?{urlencode({'labelled': shown})}#label", status_code=303)
