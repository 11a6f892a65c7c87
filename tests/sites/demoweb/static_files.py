"""``/static/...``: the script, the style sheets, and small generated images.

Telegram photos and emoji images are tiny PNGs made on the fly (a solid colour per photo
number), so the demo needs no binary files in the repository.
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import lru_cache
from pathlib import Path

from tests.sites.demoweb.http_types import Response, not_found

STATIC_DIR = Path(__file__).resolve().parent / "static"
_FILES = {
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/site.css": ("site.css", "text/css; charset=utf-8"),
    "/static/tg/telegram.css": ("telegram.css", "text/css; charset=utf-8"),
}
_PALETTE = (
    (0x6B, 0x8E, 0x23),
    (0x46, 0x82, 0xB4),
    (0xCD, 0x85, 0x3F),
    (0x70, 0x80, 0x90),
    (0x2E, 0x8B, 0x57),
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@lru_cache(maxsize=32)
def _photo(n: int) -> bytes:
    return png(32, 24, _PALETTE[n % len(_PALETTE)])


def static_response(path: str) -> Response:
    if path in _FILES:
        name, content_type = _FILES[path]
        return Response(body=(STATIC_DIR / name).read_bytes(), content_type=content_type)
    photo = re.fullmatch(r"/static/tg/photo/(\d{1,3})\.png", path)
    if photo:
        return Response(body=_photo(int(photo.group(1))), content_type="image/png")
    if re.fullmatch(r"/static/tg/emoji/[0-9a-f-]{1,80}\.png", path):
        return Response(body=_photo(0), content_type="image/png")
    return not_found()
