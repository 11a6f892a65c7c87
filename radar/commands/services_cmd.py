"""``smokkelradar services up|down|status``: the demo's background services."""

from __future__ import annotations

from pathlib import Path

import typer

from radar.commands.options import ConfigOption
from radar.errors import RadarError


def register(app: typer.Typer) -> None:
    services_app = typer.Typer(
        help="Start and stop the local services a configuration needs (Elasticsearch, demo web, mailbox).",
        no_args_is_help=True,
    )
    app.add_typer(services_app, name="services")

    @services_app.command("up")
    def up(config: ConfigOption = Path("config/demo/radar.yaml")) -> None:
        """Start every local service the configuration needs; leave them running."""
        from indexer.node import NodeSettings, launcher
        from radar import daemon
        from radar.config.loader import load_config
        from radar.services import ensure_demo_login, plan

        try:
            wanted = plan(load_config(config).radar, config)
            if wanted.es_data_dir is not None:
                node = launcher.start(NodeSettings(data_dir=wanted.es_data_dir, http_port=wanted.es_port))
                typer.echo(f"elasticsearch  {node.url} (health {node.health})")
            for service in (wanted.demo_web, wanted.mailbox):
                if service is not None:
                    daemon.start(service, wanted.run_dir)
                    typer.echo(f"{service.name:<14} {service.host}:{service.port}")
            name, password = ensure_demo_login(config, wanted.demo_login_file)
            daemon.start(wanted.web_app, wanted.run_dir)
        except RadarError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from error
        if wanted.mailbox is not None:
            typer.echo(f"mailbox        delivers into {wanted.maildir}")
        web = wanted.web_app
        typer.echo(f"web app        http://{web.host}:{web.port}/  login: {name} / {password}")

    @services_app.command("down")
    def down(config: ConfigOption = Path("config/demo/radar.yaml")) -> None:
        """Stop the services `services up` started."""
        from indexer.node import NodeSettings, launcher
        from radar import daemon
        from radar.config.loader import load_radar_file
        from radar.services import plan

        wanted = plan(load_radar_file(config), config, stopping=True)
        for service in (wanted.web_app, wanted.demo_web, wanted.mailbox):
            if service is not None and daemon.stop(service, wanted.run_dir):
                typer.echo(f"stopped {service.name}")
        if wanted.es_data_dir is not None and launcher.stop(
            NodeSettings(data_dir=wanted.es_data_dir, http_port=wanted.es_port)
        ):
            typer.echo("stopped elasticsearch")

    @services_app.command("status")
    def status(config: ConfigOption = Path("config/demo/radar.yaml")) -> None:
        """Show which of the configuration's local services are running."""
        from indexer.node import NodeSettings, launcher
        from radar import daemon
        from radar.config.loader import load_radar_file
        from radar.services import plan

        wanted = plan(load_radar_file(config), config, stopping=True)
        if wanted.es_data_dir is not None:
            node = launcher.status(NodeSettings(data_dir=wanted.es_data_dir, http_port=wanted.es_port))
            typer.echo(f"elasticsearch  {'up, ' + str(node.health) if node.running else 'down'}  {node.url}")
        for service in (wanted.demo_web, wanted.mailbox, wanted.web_app):
            if service is not None:
                pid = daemon.read_pid(service.pidfile(wanted.run_dir))
                state = f"up (pid {pid})" if pid else "down"
                typer.echo(f"{service.name:<14} {state}  {service.host}:{service.port}")
