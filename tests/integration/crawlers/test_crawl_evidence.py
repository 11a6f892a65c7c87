"""Evidence: a WARC record per raw response with SHA-256 and UTC time, referenced from each
advert; `smokkelradar evidence verify` re-hashes and names every file that changed."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from typing import Any

from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from radar.cli import app


def read_warc(path: Any) -> list[tuple[str, str, bytes]]:
    """(record type, target URI, payload) of each record, read while iterating (streams are one-shot)."""
    with gzip.open(path) as handle:
        return [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
            for r in ArchiveIterator(handle)
        ]


def test_warc_records_are_referenced_hashed_and_verified(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("telegram",))
    report = site.crawl("telegram", "demo-telegram").report
    items = site.spooled()
    evidence_root = site.data / "evidence"
    references = {ref["path"]: ref for item in items.values() for ref in item["evidence"]}
    assert report["evidence_files"] == len(references) > 0
    for item in items.values():
        assert [ref["kind"] for ref in item["evidence"]] == ["warc"]
    for path, ref in references.items():
        data = (evidence_root / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == ref["sha256"]
        assert ref["captured_at"].endswith("Z")
        records = read_warc(evidence_root / path)
        assert [kind for kind, _, _ in records] == ["response"]
        assert records[0][1].startswith(f"{site.demo.url}/s/")
        assert b"tgme_widget_message" in records[0][2]
    # Each message points at the page it was read from.
    some = next(item for item in items.values() if item["channel"] == "docs_vip")
    warc = evidence_root / some["evidence"][0]["path"]
    assert f'data-post="docs_vip/{some["message_id"]}"'.encode() in read_warc(warc)[0][2]

    runner = CliRunner()
    clean = runner.invoke(app, ["evidence", "verify", "--config", str(site.radar_yaml)])
    assert clean.exit_code == 0, clean.output
    assert f"{len(references)} evidence file(s) checked" in clean.output and "0 changed" in clean.output

    tampered, removed = sorted(references)[:2]
    with (evidence_root / tampered).open("ab") as handle:
        handle.write(b"\x00")
    (evidence_root / removed).unlink()
    dirty = runner.invoke(app, ["evidence", "verify", "--config", str(site.radar_yaml)])
    assert dirty.exit_code == 1
    assert f"CHANGED            {tampered}" in dirty.output
    assert f"MISSING            {removed}" in dirty.output
    assert "SR-E405" in dirty.output
