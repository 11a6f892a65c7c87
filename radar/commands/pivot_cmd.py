"""``smokkelradar pivot --phone P | --handle H | --cluster ID``: every advert and source sharing it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from radar.commands.options import ConfigOption


def register(app: typer.Typer) -> None:
    @app.command("pivot")
    def pivot(
        config: ConfigOption = Path("config/radar.yaml"),
        phone: str | None = typer.Option(None, "--phone", help="A phone number, in any notation."),
        handle: str | None = typer.Option(None, "--handle", help="A handle (@name, t.me/name or name)."),
        cluster: str | None = typer.Option(None, "--cluster", help="A near-duplicate cluster id."),
        limit: int = typer.Option(1000, "--limit", min=1, help="List at most this many adverts."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """The network view: adverts, sources with first/last seen, and the contacts found with it."""
        from indexer.pivot import pivot as run_pivot
        from indexer.stage import connected

        with connected(config) as (settings, client):
            result = run_pivot(
                client, settings.names.alias, phone=phone, handle=handle, cluster=cluster, limit=limit
            )
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        typer.echo(
            f"{result.kind} {result.value}: {result.total} adverts in {len(result.sources)} sources, "
            f"first seen {result.first_seen or '?'}, last seen {result.last_seen or '?'}"
        )
        for seen in result.sources:
            typer.echo(
                f"  {seen.source:<30} {seen.adverts:>5}  {seen.first_seen or '?'} – {seen.last_seen or '?'}"
            )
        for name, buckets in (
            ("phones", result.phones),
            ("handles", result.handles),
            ("clusters", result.clusters),
        ):
            others = [b for b in buckets if b.key != result.value]
            if others:
                typer.echo(f"  with {name}: " + ", ".join(f"{b.key} ({b.count})" for b in others[:15]))
        for advert in result.adverts:
            first_line = " ".join((advert.title or advert.text).split())[:100]
            typer.echo(f"{(advert.date or '')[:10]}  {advert.source}  {advert.advert_id}\n    {first_line}")
