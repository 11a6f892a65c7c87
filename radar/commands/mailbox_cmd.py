"""``smokkelradar mailbox``: the demo SMTP mailbox and what arrived in it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

DEFAULT_MAILDIR = Path(".data/demo/mailbox")


def register(app: typer.Typer) -> None:
    mailbox_app = typer.Typer(
        help="The demo mailbox: a real SMTP server on 127.0.0.1 delivering into a Maildir.",
        invoke_without_command=True,
    )
    app.add_typer(mailbox_app, name="mailbox")

    @mailbox_app.callback()
    def show(
        ctx: typer.Context,
        maildir: Path = typer.Option(DEFAULT_MAILDIR, help="The Maildir to read."),
    ) -> None:
        """List the mails that arrived (when no sub-command is given)."""
        if ctx.invoked_subcommand is not None:
            return
        from alerts.mailbox import arrived

        mails = list(arrived(maildir))
        for mail in mails:
            typer.echo(f"{mail.date}  to {mail.recipients}  {mail.subject}")
        typer.echo(f"{len(mails)} mail(s) in {maildir}")

    @mailbox_app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(2525, help="SMTP port."),
        maildir: Path = typer.Option(DEFAULT_MAILDIR, help="Where arriving mail is stored."),
    ) -> None:
        """Run the demo SMTP server in the foreground until stopped."""
        from alerts.mailbox import serve_forever

        print(f"demo mailbox: smtp://{host}:{port} -> {maildir}", file=sys.stderr, flush=True)
        serve_forever(host, port, maildir)
