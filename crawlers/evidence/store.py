"""Writing evidence files and their manifest.

Each captured response becomes one gzipped WARC file holding one ``response`` record (the
status line, headers and body as received; for rendered pages the DOM after the script ran,
marked ``WARC-Smokkelradar-Body: rendered-dom``) and, for rendered pages, a full-page PNG
screenshot. Files live under ``data.evidence/<source>/<YYYY-MM-DD>/``; each gets a line in
``data.evidence/<source>/manifest.jsonl`` with its path (relative to ``data.evidence``),
SHA-256 of the file, UTC capture time and URL. ``smokkelradar evidence verify`` re-hashes
against those lines. Files are written once and never rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers.items import Capture

MANIFEST = "manifest.jsonl"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def warc_bytes(capture: Capture) -> bytes:
    """One gzipped WARC ``response`` record of the capture."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    http_headers = StatusAndHeaders(
        f"{capture.status} {_reason(capture.status)}", list(capture.headers), protocol="HTTP/1.1"
    )
    warc_headers = {"WARC-Date": _iso(capture.fetched_at)}
    if capture.rendered:
        warc_headers["WARC-Smokkelradar-Body"] = "rendered-dom"
    record = writer.create_warc_record(
        capture.url,
        "response",
        payload=io.BytesIO(capture.body),
        length=len(capture.body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)
    return buffer.getvalue()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class EvidenceStore:
    """Evidence files of one source below ``root`` (radar.yaml's ``data.evidence``)."""

    def __init__(self, root: Path, source: str) -> None:
        self.root = root
        self.source = source
        self.folder = root / source
        self.manifest = self.folder / MANIFEST

    def save(self, capture: Capture) -> list[dict[str, Any]]:
        """Write the capture's files; return their references for the item."""
        captured_at = capture.fetched_at.astimezone(UTC)
        day = self.folder / f"{captured_at:%Y-%m-%d}"
        day.mkdir(parents=True, exist_ok=True)
        stem = f"{captured_at:%H%M%S}-{uuid.uuid4().hex[:12]}"
        references = [self._write(day / f"{stem}.warc.gz", warc_bytes(capture), "warc", capture, captured_at)]
        if capture.screenshot:
            references.append(
                self._write(day / f"{stem}.png", capture.screenshot, "screenshot", capture, captured_at)
            )
        return references

    def _write(
        self, path: Path, data: bytes, kind: str, capture: Capture, captured_at: datetime
    ) -> dict[str, Any]:
        with path.open("xb") as handle:  # never overwrite evidence
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        reference = {
            "kind": kind,
            "path": path.relative_to(self.root).as_posix(),
            "sha256": hashlib.sha256(data).hexdigest(),
            "captured_at": _iso(captured_at),
        }
        line = dict(reference, url=capture.url, source=self.source, bytes=len(data))
        with self.manifest.open("a", encoding="utf-8") as manifest:
            manifest.write(json.dumps(line, ensure_ascii=False) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())
        return reference
