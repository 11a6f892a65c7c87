"""``smokkelradar es start|stop|status|reset|fetch``: the local Elasticsearch node.

Each node is identified by its data directory; ``stop``, ``status`` and ``reset`` find the
node's pid and port there, so only ``start`` takes a port.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from radar.errors import RadarError

if TYPE_CHECKING:
    from indexer.node import NodeSettings, NodeStatus

DATA_DIR_HELP = "The node's data directory (config, indices, logs, pidfile)."
CACHE_DIR_HELP = "Where the Elasticsearch distribution is unpacked (shared by all nodes)."


def _settings(data_dir: Path, cache_dir: Path, port: int = 9250, transport_port: int = 0) -> NodeSettings:
    from indexer.node import NodeSettings

    try:
        return NodeSettings(
            data_dir=data_dir, cache_dir=cache_dir, http_port=port, transport_port=transport_port
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


def _fail(error: RadarError) -> typer.Exit:
    typer.echo(str(error), err=True)
    return typer.Exit(1)


def _mib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**20:.0f} MiB"


def _describe(node: NodeStatus) -> str:
    if not node.running:
        return f"not running (data directory {node.data_dir}, last URL {node.url})"
    return "\n".join(
        [
            f"url:      {node.url}",
            f"pid:      {node.pid}",
            f"health:   {node.health or 'no answer'}",
            f"version:  {node.version or 'no answer'}",
            f"heap:     {_mib(node.heap_used)} used of {_mib(node.heap_max)}",
            f"rss:      {_mib(node.rss)}",
            f"data dir: {node.data_dir}",
        ]
    )


def register(app: typer.Typer) -> None:
    es_app = typer.Typer(
        help="Run the local Elasticsearch 8 node (development, tests, demo).", no_args_is_help=True
    )
    app.add_typer(es_app, name="es")

    @es_app.command("start")
    def start(
        data_dir: Path = typer.Option(Path(".data/es"), "--data-dir", help=DATA_DIR_HELP),
        port: int = typer.Option(9250, "--port", min=1024, max=65535, help="HTTP port on 127.0.0.1."),
        transport_port: int = typer.Option(
            0, "--transport-port", min=0, max=65535, help="Transport port; 0 means HTTP port + 100."
        ),
        cache_dir: Path = typer.Option(Path(".cache/elasticsearch"), "--cache-dir", help=CACHE_DIR_HELP),
        timeout: float = typer.Option(180.0, "--timeout", min=1.0, help="Seconds to wait for health yellow."),
    ) -> None:
        """Start the node in the background (fetching Elasticsearch once) and wait until it is healthy."""
        from indexer.node import launcher

        try:
            node = launcher.start(_settings(data_dir, cache_dir, port, transport_port), timeout=timeout)
        except RadarError as error:
            raise _fail(error) from error
        typer.echo(f"Elasticsearch {node.version} is up at {node.url} (pid {node.pid}, health {node.health})")

    @es_app.command("stop")
    def stop(
        data_dir: Path = typer.Option(Path(".data/es"), "--data-dir", help=DATA_DIR_HELP),
        timeout: float = typer.Option(60.0, "--timeout", min=1.0, help="Seconds to wait before killing it."),
    ) -> None:
        """Stop the node gracefully; kill it if it does not stop in time. Its data is kept."""
        from indexer.node import launcher

        stopped = launcher.stop(_settings(data_dir, Path(".cache/elasticsearch")), timeout=timeout)
        typer.echo("stopped" if stopped else f"not running (data directory {data_dir})")

    @es_app.command("status")
    def status(data_dir: Path = typer.Option(Path(".data/es"), "--data-dir", help=DATA_DIR_HELP)) -> None:
        """Show URL, pid, health, version, heap and resident memory; exit 1 when not running or red."""
        from indexer.node import launcher

        node = launcher.status(_settings(data_dir, Path(".cache/elasticsearch")))
        typer.echo(_describe(node))
        if not node.running or node.health not in ("green", "yellow"):
            raise typer.Exit(1)

    @es_app.command("reset")
    def reset(
        data_dir: Path = typer.Option(Path(".data/es"), "--data-dir", help=DATA_DIR_HELP),
        yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    ) -> None:
        """Stop the node and delete all its data (indices, logs, config)."""
        from indexer.node import launcher

        if not yes:
            typer.confirm(f"Delete every index of the node in {data_dir}?", abort=True)
        try:
            launcher.reset(_settings(data_dir, Path(".cache/elasticsearch")))
        except RadarError as error:
            raise _fail(error) from error
        typer.echo(f"wiped {data_dir}; `smokkelradar es start` begins with an empty node")

    @es_app.command("fetch")
    def fetch(
        cache_dir: Path = typer.Option(Path(".cache/elasticsearch"), "--cache-dir", help=CACHE_DIR_HELP),
    ) -> None:
        """Fetch and assemble the distribution and plugin only (what `start` does first)."""
        from indexer.node.distribution import ensure_distribution
        from indexer.node.toolchain import find_java

        try:
            home = ensure_distribution(cache_dir.absolute(), find_java())
        except RadarError as error:
            raise _fail(error) from error
        typer.echo(f"Elasticsearch distribution ready in {home}")
