"""``smokkelradar index``: drain the spool into Elasticsearch; ``migrate``, ``dead-letters``, ``status``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from radar.commands.options import ConfigOption

DEFAULT_CONFIG = Path("config/radar.yaml")


def register(app: typer.Typer) -> None:
    index_app = typer.Typer(
        help="Index the spooled adverts into Elasticsearch, migrate the index, inspect dead letters.",
        invoke_without_command=True,
    )
    app.add_typer(index_app, name="index")

    @index_app.callback()
    def index(
        ctx: typer.Context,
        config: ConfigOption = DEFAULT_CONFIG,
        batch_size: int = typer.Option(2000, "--batch-size", min=1, help="Spool entries per round."),
        give_up_after: float = typer.Option(
            120.0,
            "--give-up-after",
            min=0,
            help="Stop after Elasticsearch was unavailable this many seconds.",
        ),
        wait: float = typer.Option(
            0.0, "--wait", min=0, help="Seconds to wait when a migration or retention run holds the index."
        ),
    ) -> None:
        """Drain the spool: index every waiting advert; rejected ones go to the dead letters.

        Exit status 1 when Elasticsearch became unavailable before the spool was empty (the
        entries stay in the spool for the next run).
        """
        if ctx.invoked_subcommand is not None:
            return
        from indexer.bulk import DrainOptions
        from indexer.spool import Spool
        from indexer.stage import connected, drain_spool

        options = DrainOptions(batch_size=batch_size, give_up_after=give_up_after)
        with connected(config) as (settings, client):
            report = drain_spool(settings, client, options, wait_for_lock=wait)
        with Spool(settings.spool_path) as spool:
            counts = spool.counts()
        typer.echo(
            f"indexed {report.indexed}, dead letters {report.dead}, given back {report.retried}, "
            f"cluster updates {report.cluster_updates}; spool: {counts.pending} waiting, "
            f"{counts.dead} dead letters ({report.stopped})"
        )
        for reason, count in sorted(report.reasons.items()):
            typer.echo(f"  rejected: {reason} x{count}")
        if counts.dead:
            typer.echo("  see them with: smokkelradar index dead-letters")
        if report.stopped != "spool empty":
            raise typer.Exit(1)

    @index_app.command("migrate")
    def migrate(
        config: ConfigOption = DEFAULT_CONFIG,
        delete_old: bool = typer.Option(
            False, "--delete-old", help="Delete the old index version after the swap."
        ),
        wait: float = typer.Option(
            300.0, "--wait", min=0, help="Seconds to wait for a running drain to finish."
        ),
    ) -> None:
        """Create the next index version with the current mapping, copy every advert, swap the alias."""
        from indexer.locks import writer_lock
        from indexer.migrate import migrate as run_migration
        from indexer.stage import connected

        with (
            connected(config) as (settings, client),
            writer_lock(settings.lock_path, "migrate the index", wait_seconds=wait),
        ):
            report = run_migration(client, settings.names, delete_old=delete_old)
        if report.old_index is None:
            typer.echo(f"no index yet; created {report.new_index} behind {settings.names.alias}")
            return
        typer.echo(
            f"copied {report.copied} adverts from {report.old_index} to {report.new_index} in "
            f"{report.seconds:.1f} s; {settings.names.alias} now points at {report.new_index}"
        )
        if not report.old_deleted:
            typer.echo(f"{report.old_index} is kept for a rollback; delete it with --delete-old next time")

    @index_app.command("dead-letters")
    def dead_letters(
        config: ConfigOption = DEFAULT_CONFIG,
        limit: int = typer.Option(50, "--limit", min=1, help="Show at most this many."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line, with the item."),
        requeue: bool = typer.Option(False, "--requeue", help="Put all dead letters back in the spool."),
        requeue_ids: list[str] = typer.Option(
            [], "--requeue-id", help="Put this advert id back (repeatable)."
        ),
    ) -> None:
        """Show the adverts Elasticsearch rejected, with the reason; requeue them once the cause is fixed."""
        from indexer.settings import IndexerSettings
        from indexer.spool import Spool
        from radar.config.loader import load_config

        settings = IndexerSettings.from_config(load_config(config))
        with Spool(settings.spool_path) as spool:
            if requeue or requeue_ids:
                moved = spool.requeue(None if requeue else requeue_ids)
                typer.echo(f"{moved} dead letters back in the spool; run `smokkelradar index`")
                return
            letters = spool.dead_letters(limit)
            total = spool.counts().dead
        for letter in letters:
            if as_json:
                record = {
                    "advert_id": letter.advert_id,
                    "reason": letter.reason,
                    "attempts": letter.attempts,
                    "failed_at": letter.failed_at.isoformat(),
                    "item": letter.item,
                }
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                typer.echo(f"{letter.failed_at:%Y-%m-%d %H:%M} UTC  {letter.advert_id}\n    {letter.reason}")
        if not as_json:
            typer.echo(
                f"{total} dead letters" + (f" (showing {len(letters)})" if total > len(letters) else "")
            )

    @index_app.command("status")
    def status(config: ConfigOption = DEFAULT_CONFIG) -> None:
        """Show the alias, its index, the number of adverts and what waits in the spool."""
        from indexer.spool import Spool
        from indexer.stage import connected
        from indexer.templates import current_index

        with connected(config) as (settings, client):
            index = current_index(client, settings.names)
            count = int(client.count(index=index)["count"]) if index else 0
        with Spool(settings.spool_path) as spool:
            counts = spool.counts()
        typer.echo(f"alias:   {settings.names.alias} -> {index or 'not created yet'}")
        typer.echo(f"adverts: {count}")
        typer.echo(
            f"spool:   {counts.pending} waiting ({counts.retrying} retrying), {counts.leased} in flight, "
            f"{counts.dead} dead letters ({settings.spool_path})"
        )
