"""``smokkelradar users``: the web app's accounts (add, list, role, password, lock-out, disable)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from radar.commands.options import ConfigOption

if TYPE_CHECKING:
    from web.accounts import Accounts

PASSWORD_STDIN_HELP = "Read the password from the first line of standard input instead of prompting."  # noqa: S105


def _accounts(config: Path) -> Accounts:
    from radar.config.loader import load_config
    from web.accounts import Accounts
    from web.settings import WebSettings

    return Accounts(WebSettings.from_config(load_config(config)).accounts_path)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Accounts of the web app (officers, analysts, admins).", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    def add(
        name: str = typer.Argument(..., help="User name: 2-40 lower-case letters, digits, '.', '_' or '-'."),
        role: str = typer.Option(..., "--role", help="officer, analyst or admin."),
        config: ConfigOption = Path("config/radar.yaml"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_STDIN_HELP),
    ) -> None:
        """Create an account (the password is asked twice, or read from stdin)."""
        from web.accounts import check_name, check_password, role_of

        checked, chosen = check_name(name), role_of(role)  # fail before asking for a password
        password = _password(password_stdin)
        check_password(checked, password)
        accounts = _accounts(config)
        try:
            user = accounts.add(checked, chosen, password)
        finally:
            accounts.close()
        typer.echo(f"added {user.name} ({user.role.value})")

    @users.command("list")
    def list_users(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Show every account with its role and state."""
        import time

        accounts = _accounts(config)
        try:
            found = accounts.list()
        finally:
            accounts.close()
        if not found:
            typer.echo("no accounts yet: smokkelradar users add NAME --role admin")
        now = time.time()
        for user in found:
            state = "disabled" if user.disabled else "locked" if user.locked_at(now) else "active"
            typer.echo(f"{user.name:<24} {user.role.value:<8} {state:<9} created {user.created_at}")

    @users.command("set-role")
    def set_role(
        name: str = typer.Argument(..., help="The user."),
        role: str = typer.Argument(..., help="officer, analyst or admin."),
        config: ConfigOption = Path("config/radar.yaml"),
    ) -> None:
        """Change a user's role (their open sessions end)."""
        accounts = _accounts(config)
        try:
            user = accounts.set_role(name, role)
        finally:
            accounts.close()
        _end_sessions(config, user.name)
        typer.echo(f"{user.name} is now {user.role.value}")

    @users.command("passwd")
    def passwd(
        name: str = typer.Argument(..., help="The user."),
        config: ConfigOption = Path("config/radar.yaml"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_STDIN_HELP),
    ) -> None:
        """Set a new password (their open sessions end)."""
        password = _password(password_stdin)
        accounts = _accounts(config)
        try:
            accounts.set_password(name, password)
        finally:
            accounts.close()
        _end_sessions(config, name.strip().lower())
        typer.echo(f"{name} has a new password")

    @users.command("unlock")
    def unlock(
        name: str = typer.Argument(..., help="The user."), config: ConfigOption = Path("config/radar.yaml")
    ) -> None:
        """Lift a lock-out after repeated failed logins."""
        accounts = _accounts(config)
        try:
            accounts.unlock(name)
        finally:
            accounts.close()
        typer.echo(f"{name} is unlocked")

    @users.command("unlock-address")
    def unlock_address(
        address: str = typer.Argument(..., help="The client address (IPv4 or IPv6) the web app locked out."),
        config: ConfigOption = Path("config/radar.yaml"),
    ) -> None:
        """Lift a lock-out of one client address after many failed logins under any names."""
        import ipaddress

        given = address.strip()
        try:
            address = str(ipaddress.ip_address(given))
        except ValueError as error:
            raise typer.BadParameter(f"{address!r} is not an IP address", param_hint="ADDRESS") from error
        accounts = _accounts(config)
        try:
            # Direct clients are counted in this canonical form; one named by a proxy's
            # X-Forwarded-For may have been counted as the proxy wrote it.
            for form in {address, given}:
                accounts.unlock_address(form)
        finally:
            accounts.close()
        typer.echo(f"{address} is unlocked")

    @users.command("disable")
    def disable(
        name: str = typer.Argument(..., help="The user."),
        config: ConfigOption = Path("config/radar.yaml"),
        enable: bool = typer.Option(False, "--enable", help="Enable the account again instead."),
    ) -> None:
        """Disable an account (it cannot log in; its sessions end), or enable it with --enable."""
        accounts = _accounts(config)
        try:
            user = accounts.set_disabled(name, not enable)
        finally:
            accounts.close()
        _end_sessions(config, user.name)
        typer.echo(f"{user.name} is {'enabled' if enable else 'disabled'}")


def _end_sessions(config: Path, name: str) -> None:
    from radar.config.loader import load_config
    from web.sessions import Sessions
    from web.settings import WebSettings

    sessions = Sessions(WebSettings.from_config(load_config(config)).sessions_path)
    try:
        sessions.end_all(name)
    finally:
        sessions.close()
