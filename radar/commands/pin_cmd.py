"""``smokkelradar pin ID --case REF``: keep an advert for a case, out of reach of retention."""

from __future__ import annotations

from pathlib import Path

import typer

from radar.commands.options import ConfigOption


def register(app: typer.Typer) -> None:
    @app.command("pin")
    def pin(
        advert: str = typer.Argument(..., help="The advert id (or document id) shown by search."),
        case: str = typer.Option(..., "--case", help="The case reference, e.g. MDT-2026-041."),
        config: ConfigOption = Path("config/radar.yaml"),
        unpin: bool = typer.Option(False, "--unpin", help="Remove this case's pin instead."),
    ) -> None:
        """Pin an advert to a case: retention keeps it, and search can filter on the case."""
        from indexer.locks import writer_lock
        from indexer.pins import Pins, find_advert, pin_advert
        from indexer.stage import connected

        with (
            connected(config) as (settings, client),
            writer_lock(settings.lock_path, "pin an advert", wait_seconds=60.0),
        ):
            pins = Pins(settings.pins_path)
            try:
                if unpin:
                    document_id, advert_id = find_advert(client, settings.names.alias, advert)
                    removed = pins.unpin(advert_id, case)
                    cases = pins.cases_for([advert_id]).get(advert_id, [])
                    client.update(index=settings.names.alias, id=document_id, doc={"cases": cases})
                    typer.echo(f"{advert_id}: {'unpinned from' if removed else 'was not pinned to'} {case}")
                    return
                advert_id, added = pin_advert(client, settings.names.alias, pins, advert, case)
            finally:
                pins.close()
        typer.echo(f"{advert_id}: {'pinned to' if added else 'already pinned to'} {case}")
