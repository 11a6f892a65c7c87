"""JSON answers of the API, serialized with orjson (several times faster than the json module
on a page of adverts: the search API's answers are tens of kilobytes)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class JsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        # Non-string keys (the facets' numeric bucket keys) become strings, as with json.dumps.
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
