"""Officers' and analysts' labels of indexed adverts: the evaluation set that grows with use.

``smokkelradar label ID relevant|not-relevant|wrong-field FIELD`` (and, later, a button on the
web advert page) stores one row in ``<data.state>/labels.sqlite`` — apart from the shipped
corpus — with who labelled, when, and a snapshot of the advert: its text (so the label keeps
its meaning after retention deletes the advert), and for ``wrong-field`` the field's value that
was judged wrong. ``smokkelradar eval --labels`` scores the current keywords on them
(``workbench.label_eval``).

The API the web app needs::

    from workbench.labels import LabelStore, label_advert, labels_path
    store = LabelStore(labels_path(config))
    label = label_advert(client, alias, store, advert_ref, "wrong-field", field="transport",
                         note="a ferry timetable", user=current_user)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.pins import find_advert
from radar.config.loaded import Config
from radar.errors import Code, RadarError
from radar.sqlite import open_database
from workbench.compare import FIELD_ITEMS
from workbench.enriched import SOURCE_FIELDS

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

LABELS_FILE = "labels.sqlite"
VERDICTS = ("relevant", "not-relevant", "wrong-field")
LABEL_FIELDS = tuple(name for name in FIELD_ITEMS if name != "rules")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS labels (
    id INTEGER PRIMARY KEY,
    advert_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('relevant', 'not-relevant', 'wrong-field')),
    field TEXT,                         -- for wrong-field: which field is wrong
    note TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL,
    created_at TEXT NOT NULL,           -- UTC
    title TEXT,
    text TEXT NOT NULL,
    snapshot TEXT NOT NULL              -- JSON: score, keywords version, the field's items when labelled
);
CREATE INDEX IF NOT EXISTS labels_by_advert ON labels (advert_id, created_at);
"""


@dataclass(frozen=True)
class Label:
    id: int
    advert_id: str
    doc_id: str
    verdict: str
    field: str | None
    note: str
    user: str
    created_at: datetime
    title: str | None
    text: str
    snapshot: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "advert_id": self.advert_id, "doc_id": self.doc_id, "verdict": self.verdict,
            "field": self.field, "note": self.note, "user": self.user,
            "created_at": self.created_at.isoformat(), "snapshot": self.snapshot,
        }  # fmt: skip


def labels_path(config: Config) -> Path:
    return config.radar.data.state / LABELS_FILE


def check_label(verdict: str, field: str | None) -> None:
    """Raise RadarError(LABEL_INVALID) for a verdict or field that is not allowed."""
    if verdict not in VERDICTS:
        raise RadarError(Code.LABEL_INVALID, f"a label is one of {', '.join(VERDICTS)}, got {verdict!r}")
    if verdict == "wrong-field" and field not in LABEL_FIELDS:
        raise RadarError(
            Code.LABEL_INVALID, f"wrong-field needs the field that is wrong: one of {', '.join(LABEL_FIELDS)}"
        )
    if verdict != "wrong-field" and field is not None:
        raise RadarError(Code.LABEL_INVALID, f"only wrong-field labels name a field, not {verdict}")


class LabelStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path, timeout=30)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> LabelStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(
        self, *, advert_id: str, doc_id: str, verdict: str, field: str | None, note: str, user: str,
        title: str | None, text: str, snapshot: dict[str, Any], at: datetime | None = None,
    ) -> Label:  # fmt: skip
        check_label(verdict, field)
        if not user.strip():
            raise RadarError(Code.LABEL_INVALID, "a label needs the name of who gives it")
        moment = (at or datetime.now(UTC)).astimezone(UTC)
        cursor = self._db.execute(
            "INSERT INTO labels (advert_id, doc_id, verdict, field, note, user, created_at, title, text, "
            "snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (advert_id, doc_id, verdict, field, note, user, moment.isoformat(), title, text,
             json.dumps(snapshot, ensure_ascii=False)),
        )  # fmt: skip
        return self.get(int(cursor.lastrowid or 0))

    def _labels(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Label]:
        rows = self._db.execute(
            "SELECT id, advert_id, doc_id, verdict, field, note, user, created_at, title, text, snapshot "  # noqa: S608
            f"FROM labels {where} ORDER BY created_at, id",
            params,
        )
        return [
            Label(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                datetime.fromisoformat(r[7]),
                r[8],
                r[9],
                json.loads(r[10]),
            )
            for r in rows
        ]

    def get(self, label_id: int) -> Label:
        return self._labels("WHERE id = ?", (label_id,))[0]

    def all(self) -> list[Label]:
        return self._labels()

    def of_advert(self, advert_id: str) -> list[Label]:
        return self._labels("WHERE advert_id = ?", (advert_id,))

    def current(self) -> list[Label]:
        """The labels that count: the newest relevance verdict per advert, and the newest
        wrong-field label per advert and field (a later label overrides an earlier one)."""
        newest: dict[tuple[str, str], Label] = {}
        for label in self.all():
            key = (
                (label.advert_id, label.field or "")
                if label.verdict == "wrong-field"
                else (label.advert_id, "")
            )
            newest[key] = label
        return sorted(newest.values(), key=lambda label: label.id)


def label_advert(
    client: Elasticsearch,
    alias: str,
    store: LabelStore,
    ident: str,
    verdict: str,
    *,
    field: str | None = None,
    note: str = "",
    user: str,
) -> Label:
    """Label the indexed advert known by advert id or document id, with a snapshot of it."""
    check_label(verdict, field)
    doc_id, advert_id = find_advert(client, alias, ident)
    source = client.get(index=alias, id=doc_id, source_includes=list(SOURCE_FIELDS))["_source"]
    snapshot: dict[str, Any] = {
        "score": source.get("score"),
        "keywords_version": source.get("keywords_version"),
    }
    if field is not None:
        snapshot["items"] = sorted(FIELD_ITEMS[field](source))
    return store.add(
        advert_id=advert_id, doc_id=doc_id, verdict=verdict, field=field, note=note, user=user,
        title=source.get("title"), text=source.get("text") or "", snapshot=snapshot,
    )  # fmt: skip
