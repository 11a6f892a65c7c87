"""``smokkelradar retention [--dry-run]``: delete expired adverts and their evidence, except pinned ones."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from radar.commands.options import ConfigOption


def register(app: typer.Typer) -> None:
    @app.command("retention")
    def retention(
        config: ConfigOption = Path("config/radar.yaml"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be deleted; delete nothing."),
        as_json: bool = typer.Option(
            False, "--json", help="Print the report (with the deleted ids) as JSON."
        ),
        wait: float = typer.Option(60.0, "--wait", min=0, help="Seconds to wait while the index is busy."),
    ) -> None:
        """Apply each source's retention period; adverts pinned to a case are kept. Every run is logged."""
        from indexer.locks import writer_lock
        from indexer.retention import apply_retention
        from indexer.stage import connected

        with (
            connected(config) as (settings, client),
            writer_lock(settings.lock_path, "apply retention", wait_seconds=wait),
        ):
            report = apply_retention(client, settings, dry_run=dry_run)
        if as_json:
            typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        verb = "would delete" if dry_run else "deleted"
        typer.echo(
            f"{verb} {report.total_deleted} adverts, kept {sum(report.kept_pinned.values())} pinned to a case"
            + ("" if dry_run else f", {report.evidence_deleted} evidence files removed")
        )
        for source, count in sorted(report.deleted.items()):
            typer.echo(f"  {source:<30} {count:>6}  (last seen before {report.cutoffs[source][:10]})")
        if report.failed:
            typer.echo(f"{report.failed} deletions were not confirmed; they are tried again on the next run")
        typer.echo(f"logged in {settings.retention_log_path}")
