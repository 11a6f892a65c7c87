"""Accounts: argon2 hashes, name and password rules, lock-out after repeated failures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from radar.errors import Code, RadarError
from web.accounts import Accounts, LoginOutcome
from web.roles import Permission, Role

PASSWORD = "a long enough passphrase"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path: Path, clock: Clock) -> Accounts:
    store = Accounts(tmp_path / "accounts.sqlite", max_failures=3, lock_minutes=10, clock=clock)
    store.add("olga", "officer", PASSWORD)
    return store


def test_passwords_are_stored_as_argon2_hashes(accounts: Accounts) -> None:
    import sqlite3

    stored = sqlite3.connect(accounts.path).execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_a_correct_password_logs_in_and_a_wrong_one_does_not(accounts: Accounts) -> None:
    ok = accounts.authenticate("Olga ", PASSWORD)
    wrong = accounts.authenticate("olga", PASSWORD + "x")

    assert ok.outcome == LoginOutcome.OK and ok.user is not None and ok.user.role == Role.OFFICER
    assert wrong.outcome == LoginOutcome.REFUSED and wrong.user is None


def test_names_roles_and_passwords_are_checked(accounts: Accounts) -> None:
    with pytest.raises(RadarError) as duplicate:
        accounts.add("OLGA", "analyst", PASSWORD)
    with pytest.raises(RadarError) as bad_name:
        accounts.add("o l g a", "officer", PASSWORD)
    with pytest.raises(RadarError) as bad_role:
        accounts.add("piet", "superuser", PASSWORD)
    with pytest.raises(RadarError) as short:
        accounts.add("piet", "officer", "short")
    with pytest.raises(RadarError) as own_name:
        accounts.add("pietjanssen", "officer", "pietjanssen-2026!")

    assert duplicate.value.code == Code.WEB_USER_EXISTS
    assert bad_name.value.code == Code.WEB_BAD_USER_NAME
    assert bad_role.value.code == Code.WEB_BAD_ROLE and "officer, analyst, admin" in bad_role.value.message
    assert short.value.code == Code.WEB_WEAK_PASSWORD and own_name.value.code == Code.WEB_WEAK_PASSWORD
    assert [user.name for user in accounts.list()] == ["olga"]


def test_repeated_failures_lock_the_name_even_for_the_right_password(
    accounts: Accounts, clock: Clock
) -> None:
    outcomes = [accounts.authenticate("olga", "wrong password!").outcome for _ in range(3)]
    locked = accounts.authenticate("olga", PASSWORD)

    assert outcomes == [LoginOutcome.REFUSED, LoginOutcome.REFUSED, LoginOutcome.LOCKED]
    assert locked.outcome == LoginOutcome.LOCKED
    assert locked.locked_until == pytest.approx(clock.now + 600)
    user = accounts.get("olga")
    assert user is not None and user.locked_at(clock.now)


def test_a_lock_ends_by_itself_or_when_an_admin_lifts_it(accounts: Accounts, clock: Clock) -> None:
    for _ in range(3):
        accounts.authenticate("olga", "wrong password!")
    clock.now += 601
    after_lock = accounts.authenticate("olga", PASSWORD)
    for _ in range(3):
        accounts.authenticate("olga", "wrong password!")
    accounts.unlock("olga")
    after_unlock = accounts.authenticate("olga", PASSWORD)

    assert after_lock.outcome == LoginOutcome.OK
    assert after_unlock.outcome == LoginOutcome.OK


def test_unknown_names_are_answered_exactly_like_known_ones(accounts: Accounts) -> None:
    # No answer may tell an outsider which names exist: unknown names lock out too.
    unknown = [accounts.authenticate("nobody", "wrong password!").outcome for _ in range(3)]
    known = [accounts.authenticate("olga", "wrong password!").outcome for _ in range(3)]

    assert unknown == known == [LoginOutcome.REFUSED, LoginOutcome.REFUSED, LoginOutcome.LOCKED]


def test_a_disabled_account_cannot_log_in(accounts: Accounts) -> None:
    accounts.set_disabled("olga", True)
    refused = accounts.authenticate("olga", PASSWORD)
    accounts.set_disabled("olga", False)

    assert refused.outcome == LoginOutcome.REFUSED
    assert accounts.authenticate("olga", PASSWORD).outcome == LoginOutcome.OK


def test_roles_include_the_ones_below() -> None:
    assert Role.OFFICER.can(Permission.EXPORT) and not Role.OFFICER.can(Permission.RULES)
    assert Role.ANALYST.can(Permission.RULES) and Role.ANALYST.can(Permission.CONFIG)
    assert not Role.ANALYST.can(Permission.USERS) and not Role.ANALYST.can(Permission.AUDIT)
    assert all(Role.ADMIN.can(permission) for permission in Permission)


@pytest.fixture
def guarded(tmp_path: Path, clock: Clock) -> Accounts:
    """Three failures lock a name, four from one address lock that address."""
    store = Accounts(
        tmp_path / "guarded.sqlite", max_failures=3, max_address_failures=4, lock_minutes=10, clock=clock
    )
    store.add("olga", "officer", PASSWORD)
    return store


def test_one_address_trying_many_names_is_locked_out(guarded: Accounts, clock: Clock) -> None:
    attacker, office = "203.0.113.7", "198.51.100.20"
    names = ["anna", "bert", "carl", "dirk", "olga"]
    outcomes = [guarded.authenticate(name, "guess 1234567", attacker).outcome for name in names]
    right_password = guarded.authenticate("olga", PASSWORD, attacker)
    elsewhere = guarded.authenticate("olga", PASSWORD, office)

    assert outcomes == [LoginOutcome.REFUSED] * 3 + [LoginOutcome.ADDRESS_LOCKED] * 2
    assert right_password.outcome == LoginOutcome.ADDRESS_LOCKED
    assert right_password.locked_until == pytest.approx(clock.now + 600)
    assert elsewhere.outcome == LoginOutcome.OK  # no name was locked: one failure each
    clock.now += 601
    assert guarded.authenticate("olga", PASSWORD, attacker).outcome == LoginOutcome.OK


def test_logging_in_to_a_real_account_does_not_wipe_an_address_count(guarded: Accounts) -> None:
    address = "203.0.113.8"
    for name in ("anna", "bert", "carl"):
        guarded.authenticate(name, "guess 1234567", address)
    own = guarded.authenticate("olga", PASSWORD, address)
    next_guess = guarded.authenticate("dirk", "guess 1234567", address)

    assert own.outcome == LoginOutcome.OK
    assert next_guess.outcome == LoginOutcome.ADDRESS_LOCKED  # the fourth failure from there


def test_an_admin_can_lift_an_address_lock(guarded: Accounts) -> None:
    address = "203.0.113.9"
    for name in ("anna", "bert", "carl", "dirk"):
        guarded.authenticate(name, "guess 1234567", address)
    before = guarded.authenticate("olga", PASSWORD, address)
    guarded.unlock_address(address)

    assert before.outcome == LoginOutcome.ADDRESS_LOCKED
    assert guarded.authenticate("olga", PASSWORD, address).outcome == LoginOutcome.OK


def test_attempts_sent_at_once_cannot_slip_past_the_limit(guarded: Accounts) -> None:
    # Each attempt is counted before its password is hashed: however the threads interleave,
    # only the first three attempts from the address get an answer about their password.
    address = "203.0.113.10"
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(
            pool.map(lambda n: guarded.authenticate(f"name{n}", "guess 1234567", address).outcome, range(8))
        )

    assert outcomes.count(LoginOutcome.REFUSED) == 3
    assert outcomes.count(LoginOutcome.ADDRESS_LOCKED) == 5
