"""The audit log is append-only: the database refuses changes, and the hash chain shows edits."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from web.audit import Action, AuditFilter, AuditLog


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite")
    log.record(
        user="olga", role="officer", action=Action.SEARCH, query="q=passport", results=12, client="127.0.0.1"
    )
    log.record(user="olga", role="officer", action=Action.ADVERT, query="0" * 32, results=1)
    log.record(user="adam", role="admin", action=Action.EXPORT, query="lang=ar", results=3, detail="csv")
    return log


def test_entries_are_kept_with_user_time_query_and_count(audit: AuditLog) -> None:
    newest, middle, oldest = audit.entries()

    assert (oldest.user, oldest.action, oldest.query, oldest.results) == ("olga", "search", "q=passport", 12)
    assert oldest.client == "127.0.0.1" and oldest.at.endswith("+00:00")
    assert (newest.user, newest.action, newest.detail) == ("adam", "export", "csv")
    assert [e.id for e in audit.entries(AuditFilter(user="olga"))] == [middle.id, oldest.id]
    assert audit.count(AuditFilter(action="export")) == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET user = 'someone-else' WHERE id = 1",
        "UPDATE audit SET results = 0",
        "DELETE FROM audit WHERE id = 2",
        "DELETE FROM audit",
    ],
)
def test_the_database_refuses_to_change_or_delete_entries(audit: AuditLog, statement: str) -> None:
    # A separate connection, as anyone with the file would use.
    db = sqlite3.connect(audit.path, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute(statement)
    db.close()

    assert audit.count() == 3
    assert audit.verify() is None


def test_the_chain_shows_an_entry_changed_behind_the_triggers_back(audit: AuditLog) -> None:
    db = sqlite3.connect(audit.path, isolation_level=None)
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET results = 0 WHERE id = 2")
    db.close()

    assert audit.verify() == 2


def test_the_chain_shows_removed_entries_in_the_middle_and_at_the_end(
    tmp_path: Path, audit: AuditLog
) -> None:
    db = sqlite3.connect(audit.path, isolation_level=None)
    db.execute("DROP TRIGGER audit_no_delete")
    db.execute("DELETE FROM audit WHERE id = 3")
    db.close()
    tail_removed = audit.verify()
    db = sqlite3.connect(audit.path, isolation_level=None)
    db.execute("DELETE FROM audit WHERE id = 1")
    db.close()

    assert tail_removed == 3
    assert audit.verify() == 2


def test_export_walks_every_entry_oldest_first(audit: AuditLog) -> None:
    assert [e.action for e in audit.iter_all(batch=2)] == ["search", "advert", "export"]


def test_entries_written_together_by_many_threads_and_two_connections_form_one_chain(tmp_path: Path) -> None:
    # Two AuditLog objects on one file stand for two worker processes (two SQLite connections);
    # the threads of each are grouped into shared commits.
    logs = [AuditLog(tmp_path / "audit.sqlite"), AuditLog(tmp_path / "audit.sqlite")]

    def write(number: int) -> int:
        return logs[number % 2].record(
            user=f"user{number % 7}",
            role="officer",
            action=Action.SEARCH,
            query=f"q={number}",
            results=number,
        )

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            ids = list(pool.map(write, range(200)))
        entries = {entry.id: entry for entry in logs[0].iter_all()}
        broken = logs[1].verify()
    finally:
        for log in logs:
            log.close()

    assert len(set(ids)) == 200 and set(ids) == set(entries)
    assert all(entries[i].query == f"q={n}" and entries[i].results == n for n, i in enumerate(ids))
    assert broken is None


def test_an_entry_that_could_not_be_written_is_an_error_for_its_request(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = audit.count()
    monkeypatch.setattr(
        "web.audit._INSERT", "INSERT INTO no_such_table VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )

    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        audit.record(user="olga", role="officer", action=Action.SEARCH, query="q=boat")
    monkeypatch.undo()
    assert audit.count() == before
    assert audit.record(user="olga", role="officer", action=Action.SEARCH, query="q=boat") > 0
