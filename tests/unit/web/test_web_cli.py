"""``smokkelradar users``: accounts created from the command line are the ones the web app logs in."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from radar.cli import app
from radar.config.loader import load_config
from tests.unit.web.support import PASSWORD, write_config
from web.accounts import Accounts, LoginOutcome
from web.settings import WebSettings


def test_users_add_list_role_and_unlock(tmp_path: Path) -> None:
    radar_yaml = str(write_config(tmp_path))
    runner = CliRunner()

    added = runner.invoke(
        app,
        ["users", "add", "Olga", "--role", "analyst", "-c", radar_yaml, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    twice = runner.invoke(
        app,
        ["users", "add", "olga", "--role", "officer", "-c", radar_yaml, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    weak = runner.invoke(
        app,
        ["users", "add", "piet", "--role", "officer", "-c", radar_yaml, "--password-stdin"],
        input="short\n",
    )
    bad_role = runner.invoke(
        app,
        ["users", "add", "piet", "--role", "chief", "-c", radar_yaml, "--password-stdin"],
        input=PASSWORD + "\n",
    )
    role = runner.invoke(app, ["users", "set-role", "olga", "officer", "-c", radar_yaml])
    listed = runner.invoke(app, ["users", "list", "-c", radar_yaml])

    assert added.exit_code == 0 and "added olga (analyst)" in added.output
    assert twice.exit_code != 0 and "SR-E701" in str(twice.exception)
    assert weak.exit_code != 0 and "SR-E704" in str(weak.exception)
    assert bad_role.exit_code != 0 and "SR-E703" in str(bad_role.exception)
    assert role.exit_code == 0 and "olga is now officer" in role.output
    assert "olga" in listed.output and "officer" in listed.output and "piet" not in listed.output
    accounts = Accounts(WebSettings.from_config(load_config(Path(radar_yaml))).accounts_path)
    try:
        assert accounts.authenticate("olga", PASSWORD).outcome == LoginOutcome.OK
    finally:
        accounts.close()


def test_web_refuses_to_serve_logins_in_the_clear(tmp_path: Path) -> None:
    radar_yaml = str(write_config(tmp_path))
    runner = CliRunner()

    everywhere = runner.invoke(app, ["web", "-c", radar_yaml, "--host", "0.0.0.0"])
    cookies = runner.invoke(app, ["web", "-c", radar_yaml, "--host", "10.1.2.3", "--insecure-cookies"])
    half_tls = runner.invoke(app, ["web", "-c", radar_yaml, "--tls-cert", radar_yaml])
    no_workers = runner.invoke(app, ["web", "-c", radar_yaml, "--workers", "0"])

    assert everywhere.exit_code != 0 and "SR-E705" in str(everywhere.exception)
    assert "--tls-cert" in str(everywhere.exception)
    assert cookies.exit_code != 0 and "--insecure-cookies is only for 127.0.0.1" in str(cookies.exception)
    assert half_tls.exit_code != 0 and "both --tls-cert and --tls-key" in str(half_tls.exception)
    assert no_workers.exit_code != 0 and "--workers must be between 1 and" in str(no_workers.exception)


def test_users_unlock_address_lifts_an_address_lock(tmp_path: Path) -> None:
    radar_yaml = write_config(tmp_path)
    runner = CliRunner()
    runner.invoke(
        app, ["users", "add", "olga", "--role", "officer", "-c", str(radar_yaml), "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    settings = WebSettings.from_config(load_config(radar_yaml))
    accounts = Accounts(settings.accounts_path, max_address_failures=2)
    address = "2001:db8::7"
    for name in ("anna", "bert", "carl"):
        accounts.authenticate(name, "guess 1234567", address)
    locked = accounts.authenticate("olga", PASSWORD, address).outcome

    bad = runner.invoke(app, ["users", "unlock-address", "not-an-address", "-c", str(radar_yaml)])
    lifted = runner.invoke(app, ["users", "unlock-address", "2001:DB8:0::7", "-c", str(radar_yaml)])

    assert locked == LoginOutcome.ADDRESS_LOCKED
    assert bad.exit_code == 2 and "not an IP address" in bad.output
    assert lifted.exit_code == 0 and "2001:db8::7 is unlocked" in lifted.output
    assert accounts.authenticate("olga", PASSWORD, address).outcome == LoginOutcome.OK
    accounts.close()
