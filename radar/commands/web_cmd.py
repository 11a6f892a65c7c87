"""``smokkelradar web``: the officers' web app (uvicorn), on 127.0.0.1:8960 by default."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from radar.commands.options import ConfigOption


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def register(app: typer.Typer) -> None:
    @app.command("web")
    def web(
        config: ConfigOption = Path("config/radar.yaml"),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8960, "--port", help="Port to listen on."),
        tls_cert: Path | None = typer.Option(None, "--tls-cert", help="PEM certificate: serve https."),
        tls_key: Path | None = typer.Option(None, "--tls-key", help="PEM private key of --tls-cert."),
        insecure_cookies: bool = typer.Option(
            False,
            "--insecure-cookies",
            help="Cookies without the Secure flag, for plain http on 127.0.0.1 in development only.",
        ),
        export_limit: int = typer.Option(5000, "--export-limit", help="Most adverts one export may hold."),
        session_idle: float = typer.Option(
            30.0, "--session-idle-minutes", help="Log out after this idle time."
        ),
        lockout_failures: int = typer.Option(
            5, "--lockout-failures", help="Failed logins before a lock-out."
        ),
        lockout_minutes: float = typer.Option(15.0, "--lockout-minutes", help="How long a lock-out lasts."),
        address_failures: int = typer.Option(
            20,
            "--lockout-address-failures",
            help="Failed logins from one client address (any names) before that address is locked out.",
        ),
        workers: int = typer.Option(
            1,
            "--workers",
            help="Worker processes serving requests; one per CPU core uses the whole machine.",
        ),
        forwarded_allow_ips: str | None = typer.Option(
            None,
            "--forwarded-allow-ips",
            help="Addresses of the TLS proxy in front (comma-separated) whose X-Forwarded-For names "
            "the client (audit log, lock-out per address). Without it the peer address is the client.",
        ),
    ) -> None:
        """Serve the web app: search, adverts, pivots, trends, saved searches, export, audit log."""
        from radar.config.loader import load_config
        from radar.errors import Code, RadarError
        from web.accounts import Accounts
        from web.serve import ServeSpec, serve
        from web.settings import WebSettings

        tls = tls_cert is not None and tls_key is not None
        if (tls_cert is None) != (tls_key is None):
            raise RadarError(Code.WEB_INSECURE_SETUP, "give both --tls-cert and --tls-key, or neither")
        if insecure_cookies and not _loopback(host):
            raise RadarError(
                Code.WEB_INSECURE_SETUP,
                f"--insecure-cookies is only for 127.0.0.1; {host} would send session cookies in the clear",
            )
        if not tls and not _loopback(host):
            raise RadarError(
                Code.WEB_INSECURE_SETUP,
                f"serving plain http on {host} would expose logins: give --tls-cert and --tls-key, "
                "or listen on 127.0.0.1 behind a TLS-terminating proxy",
            )
        options = {
            "secure_cookies": not insecure_cookies,
            "export_limit": export_limit,
            "session_idle_minutes": session_idle,
            "lockout_failures": lockout_failures,
            "lockout_minutes": lockout_minutes,
            "lockout_address_failures": address_failures,
        }
        # Checked here, once, so a bad option stops the command before any worker starts.
        settings = WebSettings.from_config(load_config(config), **options)
        accounts = Accounts(settings.accounts_path)
        try:
            if accounts.count() == 0:
                typer.echo(
                    f"no accounts yet: create one with `smokkelradar users add NAME --role admin -c {config}`"
                )
        finally:
            accounts.close()
        scheme = "https" if tls else "http"
        typer.echo(f"smokkelradar web on {scheme}://{host}:{port}/ ({workers} worker(s); Ctrl-C stops it)")
        serve(
            ServeSpec(config, options),
            host=host,
            port=port,
            workers=workers,
            tls_cert=tls_cert,
            tls_key=tls_key,
            forwarded_allow_ips=forwarded_allow_ips,
        )
