"""``smokkelradar search QUERY``: the officers' search from the command line (text, JSON or CSV)."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from radar.commands.options import ConfigOption

if TYPE_CHECKING:
    from indexer.search import Hit, SearchResult

CSV_COLUMNS = [
    "advert_id", "doc_id", "date", "source", "language", "origin", "transit", "destination",
    "price_eur_min", "price_eur_max", "documents", "transport", "phones", "handles",
    "cluster_id", "repost_count", "url", "snippet",
]  # fmt: skip


def _csv_row(hit: Hit) -> dict[str, Any]:
    route = hit.source.get("route") or {}
    prices = hit.source.get("price_eur") or {}
    cluster = hit.source.get("cluster") or {}
    return {
        "advert_id": hit.source.get("advert_id"),
        "doc_id": hit.doc_id,
        "date": hit.source.get("date"),
        "source": hit.source.get("source"),
        "language": hit.source.get("language"),
        "origin": route.get("origin") or "",
        "transit": " ".join(route.get("transit") or []),
        "destination": route.get("destination") or "",
        "price_eur_min": prices.get("min", ""),
        "price_eur_max": prices.get("max", ""),
        "documents": " ".join(hit.source.get("documents") or []),
        "transport": " ".join(hit.source.get("transport") or []),
        "phones": " ".join(p.get("e164") or "" for p in hit.source.get("phones") or []),
        "handles": " ".join(f"{h.get('platform')}:{h.get('value')}" for h in hit.source.get("handles") or []),
        "cluster_id": cluster.get("id", ""),
        "repost_count": cluster.get("repost_count", ""),
        "url": hit.source.get("url") or "",
        "snippet": hit.snippet(width=200),
    }


def _print_text(result: SearchResult, collapse: bool) -> None:
    exact = "" if result.total_is_exact else "at least "
    clusters = f" in {result.clusters} clusters" if result.clusters is not None else ""
    typer.echo(f"{exact}{result.total} adverts{clusters} ({result.took_ms} ms)")
    for hit in result.hits:
        source = hit.source
        route = source.get("route") or {}
        path = " → ".join(
            c for c in [route.get("origin"), *(route.get("transit") or []), route.get("destination")] if c
        )
        cluster = source.get("cluster") or {}
        reposts = f"  reposted {cluster.get('repost_count')}x" if cluster.get("repost_count") else ""
        day, language = (source.get("date") or "")[:10], source.get("language") or "?"
        typer.echo(f"\n{day}  {source.get('source')}  [{language}]  {path}{reposts}")
        typer.echo(f"  {hit.snippet(width=200)}\n  {source.get('advert_id')}  {source.get('url') or ''}")
    facets = result.facets
    for name, buckets in (
        ("languages", facets.languages),
        ("from", facets.origin),
        ("via", facets.transit),
        ("to", facets.destination),
        ("documents", facets.documents),
        ("transport", facets.transport),
        ("sources", facets.sources),
    ):
        if buckets:
            typer.echo(f"{name:>10}: " + ", ".join(f"{b.key} {b.count}" for b in buckets[:10]))
    if result.next_cursor:
        typer.echo(f"\nnext page: --cursor {result.next_cursor}")


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search(
        query: str = typer.Argument("", help='Words to find (simple query syntax: "phrase", -not, a | b).'),
        config: ConfigOption = Path("config/radar.yaml"),
        lang: list[str] = typer.Option([], "--lang", help="Language of the advert, e.g. ar (repeatable)."),
        country: list[str] = typer.Option([], "--country", help="Country named in any role (ISO code)."),
        origin: list[str] = typer.Option([], "--from", help="Origin country of the route."),
        destination: list[str] = typer.Option([], "--to", help="Destination country of the route."),
        via: list[str] = typer.Option([], "--via", help="Transit country of the route."),
        price_min: float | None = typer.Option(None, "--price-min", help="Lowest price in EUR."),
        price_max: float | None = typer.Option(None, "--price-max", help="Highest price in EUR."),
        currency: list[str] = typer.Option([], "--currency", help="Currency named in a price (ISO 4217)."),
        document: list[str] = typer.Option([], "--document", help="Document offered, e.g. passport."),
        transport: list[str] = typer.Option([], "--transport", help="Transport offered, e.g. boat."),
        source: list[str] = typer.Option([], "--source", help="Configured source name."),
        since: str | None = typer.Option(None, "--since", help="From this date (YYYY-MM-DD, UTC)."),
        until: str | None = typer.Option(None, "--until", help="Up to and including this date."),
        phone: str | None = typer.Option(None, "--phone", help="Phone number (any notation)."),
        handle: str | None = typer.Option(None, "--handle", help="Telegram/WhatsApp/... handle."),
        collapse: bool = typer.Option(False, "--collapse", help="One hit per near-duplicate cluster."),
        sort: str | None = typer.Option(None, "--sort", help="date or score (default: score with a query)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        as_csv: bool = typer.Option(False, "--csv", help="Print the hits as CSV."),
        limit: int = typer.Option(20, "--limit", min=1, max=1000, help="Hits per page."),
        cursor: str | None = typer.Option(None, "--cursor", help="Continue after a previous page."),
    ) -> None:
        """Search the adverts: free text in every language, filters, facets and highlights."""
        from indexer.query import SearchRequest
        from indexer.search import search as run_search
        from indexer.stage import connected

        if as_json and as_csv:
            raise typer.BadParameter("choose --json or --csv, not both")
        if sort not in (None, "date", "score"):
            raise typer.BadParameter(f"--sort must be date or score, not {sort!r}")

        def day(value: str | None, option: str) -> date | None:
            try:
                return date.fromisoformat(value) if value else None
            except ValueError as error:
                raise typer.BadParameter(
                    f"{option} needs a date such as 2026-10-01, got {value!r}"
                ) from error

        request = SearchRequest(
            query=query,
            lang=tuple(lang),
            country=tuple(country),
            origin=tuple(origin),
            destination=tuple(destination),
            via=tuple(via),
            price_min=price_min,
            price_max=price_max,
            currency=tuple(currency),
            document=tuple(document),
            transport=tuple(transport),
            source=tuple(source),
            since=day(since, "--since"),
            until=day(until, "--until"),
            phone=phone,
            handle=handle,
            collapse=collapse,
            sort=sort,  # type: ignore[arg-type]  # checked above
            limit=limit,
            search_after=cursor,
            facets=not as_csv,
        )
        with connected(config) as (settings, client):
            result = run_search(client, settings.names.alias, request)
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        elif as_csv:
            writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            for hit in result.hits:
                writer.writerow(_csv_row(hit))
        else:
            _print_text(result, collapse)
