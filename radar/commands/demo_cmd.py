"""``smokkelradar demo-web``: the local demo web, in the foreground or as a background service.

    smokkelradar demo-web [--host H] [--port N] [--corpus FILE...]   serve until Ctrl-C / SIGTERM
    smokkelradar demo-web start [--host H] [--port N] [--run-dir D]  the same, detached
    smokkelradar demo-web stop [--run-dir D]                         stop the detached one
    smokkelradar demo-web status [--run-dir D]                       is it running?

``start`` writes ``D/demo-web.pid`` and logs to ``D/demo-web.log`` (D: ``.data/demo``).

The demo web lives in ``tests/sites/demoweb`` (a fixture, not an installed package); it is
imported with the repository root on ``sys.path``. Background runs go through
``radar.daemon`` like every other demo service, so ``make stop`` stops them the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from radar.daemon import Service

DEFAULT_PORT = 8950
DEFAULT_RUN_DIR = Path(".data/demo")
SERVICE_NAME = "demo-web"


def _put_repo_root_on_path() -> None:
    """Make ``tests.sites.demoweb`` importable: it sits in the repository this ``radar`` is in."""
    repo_root = str(Path(__file__).resolve().parents[2])
    if repo_root not in sys.path:
        sys.path.insert(0, repo_root)


def service(host: str = "127.0.0.1", port: int = DEFAULT_PORT, corpus: Sequence[Path] = ()) -> Service:
    """The demo web as a ``radar.daemon`` background service (for ``start`` and ``services up``)."""
    from radar import daemon

    files = [arg for path in corpus for arg in ("--corpus", str(Path(path).resolve()))]
    argv = (sys.executable, "-m", "radar", "demo-web", "--host", host, "--port", str(port), *files)
    return daemon.Service(SERVICE_NAME, argv, port, host)


def register(app: typer.Typer) -> None:
    demo_app = typer.Typer(
        help=(
            "The local demo web: copies of the public sources we monitor, filled from the demo corpus. "
            "Without a sub-command it serves in the foreground until Ctrl-C or SIGTERM."
        ),
        invoke_without_command=True,
    )
    app.add_typer(demo_app, name="demo-web")

    @demo_app.callback()
    def serve(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, help="Port to listen on (0: any free port)."),
        corpus: list[Path] = typer.Option(
            [], "--corpus", help="Corpus YAML file(s) to serve (default: tests/sites/corpus/adverts_*.yaml)."
        ),
    ) -> None:
        """Serve the demo web in the foreground until Ctrl-C or SIGTERM (without a sub-command)."""
        if ctx.invoked_subcommand is not None:
            return
        from radar.errors import RadarError

        _put_repo_root_on_path()
        from tests.sites.demoweb import serve_forever

        try:
            serve_forever(host, port, corpus or None, announce=lambda line: print(line, flush=True))
        except RadarError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(1) from e

    @demo_app.command("start")
    def start(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, help="Port to listen on."),
        run_dir: Path = typer.Option(DEFAULT_RUN_DIR, help="Where the pidfile and log go."),
        corpus: list[Path] = typer.Option(
            [], "--corpus", help="Corpus YAML file(s) to serve (default: tests/sites/corpus/adverts_*.yaml)."
        ),
    ) -> None:
        """Start the demo web in the background (does nothing when it already runs)."""
        from radar import daemon
        from radar.errors import RadarError

        demo_web = service(host, port, corpus)
        try:
            pid = daemon.start(demo_web, run_dir)
        except RadarError as e:
            typer.echo(str(e), err=True)
            raise typer.Exit(1) from e
        typer.echo(f"demo web: http://{host}:{port}/ (pid {pid}, log {demo_web.logfile(run_dir)})")

    @demo_app.command("stop")
    def stop(run_dir: Path = typer.Option(DEFAULT_RUN_DIR, help="Where the pidfile is.")) -> None:
        """Stop the background demo web."""
        from radar import daemon

        was_running = daemon.stop(service(), run_dir)
        typer.echo("demo web stopped" if was_running else "demo web was not running")

    @demo_app.command("status")
    def status(run_dir: Path = typer.Option(DEFAULT_RUN_DIR, help="Where the pidfile is.")) -> None:
        """Say whether the background demo web runs; exit 1 when it does not."""
        from radar import daemon

        pid = daemon.read_pid(service().pidfile(run_dir))
        if pid is None:
            typer.echo("demo web is not running")
            raise typer.Exit(1)
        typer.echo(f"demo web is running (pid {pid})")
