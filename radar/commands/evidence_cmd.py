"""``smokkelradar evidence verify``: re-hash every evidence file and report any that changed."""

from __future__ import annotations

from pathlib import Path

import typer

from radar.commands.options import ConfigOption

EXIT_CHANGED = 1


def register(app: typer.Typer) -> None:
    evidence_app = typer.Typer(help="Evidence the crawler kept: WARC records and screenshots with SHA-256.")
    app.add_typer(evidence_app, name="evidence")

    @evidence_app.command("verify")
    def verify(
        config: ConfigOption = Path("config/radar.yaml"),
        source: list[str] = typer.Option([], "--source", "-s", help="Only these sources (default: all)."),
    ) -> None:
        """Re-hash each evidence file against its manifest; exit 1 when a file changed or is missing."""
        from crawlers.evidence.verify import verify as verify_evidence
        from radar.config.loader import load_config
        from radar.config.problems import ConfigError
        from radar.errors import Code

        try:
            root = load_config(config).radar.data.evidence
        except ConfigError as error:
            typer.echo(str(error))
            raise typer.Exit(EXIT_CHANGED) from error
        report = verify_evidence(root, list(source) or None)
        for finding in report.findings:
            typer.echo(f"{finding.status.upper():<18} {finding.path}  {finding.detail}".rstrip())
        changed, missing = len(report.by_status("changed")), len(report.by_status("missing"))
        typer.echo(
            f"{report.checked} evidence file(s) checked in {root}: {changed} changed, {missing} missing, "
            f"{len(report.by_status('unrecorded'))} unrecorded"
        )
        if not report.ok:
            typer.echo(f"{Code.EVIDENCE_CHANGED.value}: evidence does not match what was captured")
            raise typer.Exit(EXIT_CHANGED)
