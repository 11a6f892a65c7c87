"""JSON answers of the API, serialized with orjson (several times faster than the json module
on a page of adverts: the search API's answers are tens of kilobytes)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class JsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            # Every key of the API's answers is a string (Elasticsearch's JSON, the facets' bucket
            # keys are written as text); orjson's check for other keys costs a third of its time.
            return orjson.dumps(content)
        except TypeError:
            # A non-string key after all (a number): written as a string, as json.dumps does.
            return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
