"""``smokkelradar label ID VERDICT [FIELD]``: label an indexed advert for the growing evaluation set.

VERDICT is ``relevant``, ``not-relevant`` or ``wrong-field`` (then FIELD names the field). Labels
go to ``<data.state>/labels.sqlite`` with the user and the time; ``smokkelradar eval --labels``
scores the keywords on them. ``smokkelradar label --list`` shows them.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from radar.commands.options import ConfigOption

USER_VARIABLE = "SMOKKELRADAR_USER"


def register(app: typer.Typer) -> None:
    @app.command("label")
    def label(
        ident: Annotated[
            str | None, typer.Argument(help="Advert id or document id.", show_default=False)
        ] = None,
        verdict: Annotated[
            str | None, typer.Argument(help="relevant, not-relevant or wrong-field.", show_default=False)
        ] = None,
        field: Annotated[
            str | None, typer.Argument(help="With wrong-field: the field that is wrong.", show_default=False)
        ] = None,
        note: Annotated[str, typer.Option("--note", help="Why, for colleagues.")] = "",
        user: Annotated[
            str | None,
            typer.Option("--user", help=f"Who labels (default: ${USER_VARIABLE}, else the login)."),
        ] = None,
        list_labels: Annotated[bool, typer.Option("--list", help="List the labels given so far.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        config: ConfigOption = Path("config/radar.yaml"),
    ) -> None:
        """Label an indexed advert relevant, not-relevant, or wrong-field FIELD (stored apart from the
        shipped evaluation corpus, with user and time)."""
        from radar.config.loader import load_config
        from workbench.labels import LabelStore, label_advert, labels_path

        loaded = load_config(config)
        if list_labels:
            with LabelStore(labels_path(loaded)) as store:
                labels = store.all()
            for item in labels:
                line = (
                    json.dumps(item.as_dict(), ensure_ascii=False)
                    if as_json
                    else (
                        f"{item.created_at:%Y-%m-%d %H:%M}  {item.user:<12} {item.advert_id}  {item.verdict}"
                        f"{' ' + item.field if item.field else ''}{'  ' + item.note if item.note else ''}"
                    )
                )
                typer.echo(line)
            return
        if ident is None or verdict is None:
            raise typer.BadParameter("give the advert id and the verdict (or --list)")
        from indexer.stage import connected

        who = user or os.environ.get(USER_VARIABLE) or getpass.getuser()
        with connected(config) as (settings, client), LabelStore(labels_path(loaded)) as store:
            given = label_advert(
                client, settings.names.alias, store, ident, verdict, field=field, note=note, user=who
            )
        if as_json:
            typer.echo(json.dumps(given.as_dict(), ensure_ascii=False))
        else:
            what = f"{given.verdict} {given.field}" if given.field else given.verdict
            typer.echo(f"labelled {given.advert_id} {what} (label {given.id}, by {given.user})")
