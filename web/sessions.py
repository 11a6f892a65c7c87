"""Server-side sessions: a random token in the cookie, only its SHA-256 in the store.

Each session carries its own CSRF token (the synchronizer pattern): every form of the app
sends it back and every POST is refused without it. Sessions end on logout, after
``idle_minutes`` without a request, or ``max_hours`` after login, whichever comes first.
Logging in always starts a new session (no fixation).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from web.store import SqliteStore

# Write last_seen at most this often: most requests then only read the store.
TOUCH_EVERY_S = 60.0


@dataclass(frozen=True)
class Session:
    token_hash: str
    user: str
    csrf: str
    created_at: float
    last_seen: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);
    """

    def __init__(
        self,
        path: Path,
        *,
        idle_minutes: float = 30.0,
        max_hours: float = 12.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path)
        self.idle_seconds = idle_minutes * 60.0
        self.max_seconds = max_hours * 3600.0
        self._clock = clock

    def start(self, user: str) -> tuple[str, Session]:
        """A new session for ``user``: (the cookie's token, the session)."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        session = Session(_hash(token), user, secrets.token_urlsafe(32), now, now)
        with self.transaction() as db:
            # Expired sessions of anyone are swept here, where a write happens anyway.
            db.execute(
                "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
                (now - self.idle_seconds, now - self.max_seconds),
            )
            db.execute(
                "INSERT INTO sessions (token_hash, user, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                (session.token_hash, user, session.csrf, now, now),
            )
        return token, session

    def find(self, token: str | None) -> Session | None:
        """The live session of this cookie token, or None (unknown, idle too long, or too old)."""
        if not token or len(token) > 200:
            return None
        key = _hash(token)
        now = self._clock()
        with self.reading() as db:
            row = db.execute(
                "SELECT token_hash, user, csrf, created_at, last_seen FROM sessions WHERE token_hash = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        session = Session(*row)
        if now - session.last_seen > self.idle_seconds or now - session.created_at > self.max_seconds:
            self.end(token)
            return None
        if now - session.last_seen > TOUCH_EVERY_S:
            with self.transaction() as db:
                db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, key))
        return session

    def end(self, token: str | None) -> None:
        if token:
            with self.transaction() as db:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))

    def end_all(self, user: str) -> int:
        """End every session of ``user`` (disabled, role or password changed)."""
        with self.transaction() as db:
            return db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount
