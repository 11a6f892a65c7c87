"""Accounts of the web app: names, roles, argon2 password hashes, and lock-out after failures.

Failed logins are counted per name, whether or not an account of that name exists, so the
answers to a login attempt never tell an outsider which names are real. After
``max_failures`` failures in a row the name is locked for ``lock_minutes``; a correct
password during the lock is refused too. An admin (web or ``smokkelradar users unlock``)
lifts a lock at once. Failures are also counted per client address (``web.lockout``): an
address that fails ``max_address_failures`` times, whatever the names, is locked too.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from radar.errors import Code, RadarError
from web.lockout import SCHEMA as LOCKOUT_SCHEMA
from web.lockout import address_counter, name_counter
from web.roles import Role, parse_role
from web.store import SqliteStore

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
# argon2id with the library's defaults (RFC 9106's second recommendation: 64 MiB, 3 passes).
DEFAULT_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created_at: str
    disabled: bool
    failures: int = 0
    locked_until: float | None = None  # epoch seconds

    def locked_at(self, now: float) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def locked_until_text(self) -> str:
        if self.locked_until is None:
            return ""
        return datetime.fromtimestamp(self.locked_until, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class LockedAddress:
    """A client address locked out after many failed logins under any names."""

    address: str
    failures: int
    locked_until: float  # epoch seconds

    @property
    def locked_until_text(self) -> str:
        return datetime.fromtimestamp(self.locked_until, UTC).isoformat(timespec="seconds")


class LoginOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # wrong name or password, or a disabled account: one answer for all
    LOCKED = "locked"  # the name is locked
    ADDRESS_LOCKED = "address_locked"  # the client address is locked, whatever the name


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: float | None = None


def check_name(name: str) -> str:
    cleaned = name.strip().lower()
    if not NAME_PATTERN.fullmatch(cleaned):
        raise RadarError(
            Code.WEB_BAD_USER_NAME,
            f"bad user name {name!r}: 2-40 characters, lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        )
    return cleaned


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise RadarError(Code.WEB_WEAK_PASSWORD, f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise RadarError(Code.WEB_WEAK_PASSWORD, f"the password must have at most {MAX_PASSWORD} characters")
    if name.lower() in password.lower():
        raise RadarError(Code.WEB_WEAK_PASSWORD, "the password must not contain the user name")


def role_of(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as error:
        raise RadarError(Code.WEB_BAD_ROLE, str(error)) from None


class Accounts(SqliteStore):
    SCHEMA = (
        """
    CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('officer', 'analyst', 'admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    """
        + LOCKOUT_SCHEMA
    )

    def __init__(
        self,
        path: Path,
        *,
        max_failures: int = 5,
        lock_minutes: float = 15.0,
        max_address_failures: int = 20,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path)
        self.max_failures = max_failures
        self.lock_seconds = lock_minutes * 60.0
        self._names = name_counter(max_failures, self.lock_seconds)
        self._addresses = address_counter(max_address_failures, self.lock_seconds)
        self._hasher = hasher or DEFAULT_HASHER
        self._clock = clock
        # Verified against for unknown names, so they take as long as known ones.
        self._dummy_hash = _dummy_hash(self._hasher)

    # ------------------------------------------------------------------ management

    def add(self, name: str, role: Role | str, password: str) -> User:
        name = check_name(name)
        role = role if isinstance(role, Role) else role_of(role)
        check_password(name, password)
        hashed = self._hasher.hash(password)
        now = _now_text()
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise RadarError(Code.WEB_USER_EXISTS, f"a user named {name!r} exists already")
            db.execute(
                "INSERT INTO users (name, role, password_hash, created_at, password_changed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, role.value, hashed, now, now),
            )
        return self._require(name)

    def set_password(self, name: str, password: str) -> None:
        name = check_name(name)
        check_password(name, password)
        hashed = self._hasher.hash(password)
        self._update(name, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
                     (hashed, _now_text(), name))  # fmt: skip

    def set_role(self, name: str, role: Role | str) -> User:
        role = role if isinstance(role, Role) else role_of(role)
        self._update(check_name(name), "UPDATE users SET role = ? WHERE name = ?", (role.value, name.lower()))
        return self._require(name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        self._update(
            check_name(name), "UPDATE users SET disabled = ? WHERE name = ?", (int(disabled), name.lower())
        )
        return self._require(name)

    def unlock(self, name: str) -> None:
        with self.transaction() as db:
            self._names.clear(db, name.strip().lower())

    def unlock_address(self, address: str) -> None:
        with self.transaction() as db:
            self._addresses.clear(db, address)

    def _update(self, name: str, sql: str, params: tuple[object, ...]) -> None:
        with self.transaction() as db:
            if db.execute(sql, params).rowcount != 1:
                raise RadarError(Code.WEB_UNKNOWN_USER, f"no user named {name!r}")

    # ------------------------------------------------------------------ reading

    def get(self, name: str) -> User | None:
        with self.reading() as db:
            row = db.execute(
                "SELECT u.name, u.role, u.created_at, u.disabled, COALESCE(f.failures, 0), f.locked_until "
                "FROM users u LEFT JOIN login_failures f ON f.name = u.name WHERE u.name = ?",
                (name.strip().lower(),),
            ).fetchone()
        return None if row is None else _user(row)

    def _require(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise RadarError(Code.WEB_UNKNOWN_USER, f"no user named {name!r}")
        return user

    def list(self) -> list[User]:
        with self.reading() as db:
            rows = db.execute(
                "SELECT u.name, u.role, u.created_at, u.disabled, COALESCE(f.failures, 0), f.locked_until "
                "FROM users u LEFT JOIN login_failures f ON f.name = u.name ORDER BY u.name"
            ).fetchall()
        return [_user(row) for row in rows]

    def locked_addresses(self) -> tuple[LockedAddress, ...]:
        """The client addresses locked out now."""
        with self.reading() as db:
            rows = self._addresses.locked(db, self._clock())
        return tuple(LockedAddress(address, failures, until) for address, failures, until in rows)

    def count(self) -> int:
        with self.reading() as db:
            return int(db.execute("SELECT COUNT(*) FROM users").fetchone()[0])

    # ------------------------------------------------------------------ login

    def authenticate(self, name: str, password: str, client: str = "") -> LoginResult:
        """Check a login attempt from address ``client``, counting failures and applying the locks."""
        key = name.strip().lower()[:100]
        address = client[:100]
        now = self._clock()
        with self.transaction() as db:
            # Check the locks and count this attempt in one step (see web.lockout).
            if address and (until := self._addresses.locked_until(db, address, now)) is not None:
                return LoginResult(LoginOutcome.ADDRESS_LOCKED, locked_until=until)
            if (until := self._names.locked_until(db, key, now)) is not None:
                return LoginResult(LoginOutcome.LOCKED, locked_until=until)
            name_lock = self._names.count(db, key, now)
            address_lock = self._addresses.count(db, address, now) if address else None
            row = db.execute("SELECT password_hash, disabled FROM users WHERE name = ?", (key,)).fetchone()
        stored = row[0] if row else self._dummy_hash
        if not (self._verify(stored, password[:MAX_PASSWORD]) and row is not None and not row[1]):
            if name_lock is not None:
                return LoginResult(LoginOutcome.LOCKED, locked_until=name_lock)
            if address_lock is not None:
                return LoginResult(LoginOutcome.ADDRESS_LOCKED, locked_until=address_lock)
            return LoginResult(LoginOutcome.REFUSED)
        with self.transaction() as db:
            self._names.clear(db, key)  # "in a row": a success starts the name's count again
            if address:
                # The address keeps its other failures: an attacker with one real account could
                # otherwise wipe the count by logging in to it between guesses.
                self._addresses.give_back(db, address)
            if self._hasher.check_needs_rehash(stored):  # parameters raised since it was hashed
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?", (self._hasher.hash(password), key)
                )
        return LoginResult(LoginOutcome.OK, user=self._require(key))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a password of anyone")


def _user(row: tuple[object, ...]) -> User:
    name, role, created, disabled, failures, locked = row
    return User(
        name=str(name),
        role=Role(str(role)),
        created_at=str(created),
        disabled=bool(disabled),
        failures=int(str(failures)),
        locked_until=float(str(locked)) if locked is not None else None,
    )


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
