"""``smokkelradar alerts list|check|test|sent``: saved searches, their dry run, and the mail ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from radar.commands.options import ConfigOption

if TYPE_CHECKING:
    from alerts.ledger import Ledger
    from radar.config.loaded import Config

DEFAULT_CONFIG = Path("config/radar.yaml")


def _window(text: str) -> timedelta:
    from radar.config.types import parse_duration

    try:
        value: timedelta = parse_duration(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    if value <= timedelta(0):
        raise typer.BadParameter("the window must be longer than zero")
    return value


def _ledger(config: Config) -> Ledger | None:
    """The ledger, when one exists (reading never creates it)."""
    from alerts.ledger import Ledger
    from alerts.service import LEDGER_FILE

    path = config.radar.data.state / LEDGER_FILE
    return Ledger(path) if path.exists() else None


def _local(moment: datetime | None, timezone: str) -> str:
    return "-" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def register(app: typer.Typer) -> None:
    alerts_app = typer.Typer(
        help="Saved searches that mail the MDT mailbox: list, check, dry-run, and what was sent.",
        no_args_is_help=True,
    )
    app.add_typer(alerts_app, name="alerts")

    @alerts_app.command("list")
    def list_searches(config: ConfigOption = DEFAULT_CONFIG) -> None:
        """Every saved search: cadence, delivery, language, minimum score, recipients, queued matches."""
        from radar.config.loader import load_config

        loaded = load_config(config)
        ledger = _ledger(loaded)
        queued = {name: len(ledger.queued(name)) for name in loaded.alerts} if ledger else {}
        for name, search in sorted(loaded.alerts.items()):
            state = "" if search.enabled else "  (disabled)"
            typer.echo(
                f"{name}{state}\n"
                f"    {search.cadence}, {search.delivery}, mail in {search.language}, "
                f"min score {search.min_score:g}, queued {queued.get(name, 0)}\n"
                f"    to {', '.join(loaded.recipients_for(search))}   ({loaded.alert_origins[name]})"
            )
        typer.echo(f"{len(loaded.alerts)} saved search(es)")

    @alerts_app.command("check")
    def check(
        config: ConfigOption = DEFAULT_CONFIG,
        offline: bool = typer.Option(False, "--offline", help="Do not ask Elasticsearch to validate."),
    ) -> None:
        """Validate the saved searches: configuration, query building and (unless --offline) Elasticsearch.

        Exit code 0 when every search is valid, 1 otherwise.
        """
        from alerts.compile import compile_search
        from radar.config.loader import load_config_problems
        from radar.errors import RadarError

        loaded, problems = load_config_problems(config)
        for problem in problems:
            typer.echo(f"{problem}  [{problem.code.value}]")
        if loaded is None:
            typer.echo(f"{len(problems)} problem(s)")
            raise typer.Exit(1)
        failures = 0
        compiled = {}
        for name, search in sorted(loaded.alerts.items()):
            try:
                compiled[name] = compile_search(search)
            except RadarError as error:
                failures += 1
                typer.echo(f"{loaded.alert_origins[name]}: {name}: {error}")
        if not offline and compiled:
            failures += _validate_in_elasticsearch(loaded, compiled)
        typer.echo(f"{len(loaded.alerts)} saved search(es), {failures} problem(s)")
        if failures:
            raise typer.Exit(1)

    @alerts_app.command("test")
    def test(
        name: str = typer.Argument(..., help="The saved search to try."),
        since: str = typer.Option("7d", "--since", help="How far back: 90m, 12h, 7d, 2w ..."),
        limit: int = typer.Option(20, "--limit", min=1, max=500, help="Adverts to show."),
        show_mail: bool = typer.Option(
            False, "--show-mail", help="Print the text of the mail it would send."
        ),
        config: ConfigOption = DEFAULT_CONFIG,
    ) -> None:
        """Dry run: what NAME would have mailed over a past window. Sends nothing, changes nothing."""
        from alerts.compose import compose
        from alerts.dryrun import dry_run
        from indexer.client import check_reachable, make_client
        from indexer.templates import IndexNames
        from radar.config.loader import load_config

        loaded = load_config(config)
        window = _window(since)
        client = make_client(loaded.radar.elasticsearch)
        try:
            check_reachable(client, loaded.radar.elasticsearch.url)
            names = IndexNames(loaded.radar.elasticsearch.index_prefix)
            now = datetime.now(UTC)
            result = dry_run(loaded, client, names.alias, _ledger(loaded), name, window, now=now, limit=limit)
        finally:
            client.close()
        timezone = loaded.radar.timezone
        typer.echo(f"saved search {name}: adverts indexed since {_local(result.since, timezone)} ({since})")
        for doc_id, advert in zip(result.doc_ids, result.adverts, strict=True):
            mark = "already mailed" if doc_id in result.already_mailed else "new"
            score = f"{advert.score:.2f}" if advert.score is not None else "-"
            typer.echo(
                f"  [{mark}] {advert.posted or '-'}  {advert.route or '-'}  score {score}  {advert.source}"
            )
            typer.echo(f"      {' '.join(advert.text.split())[:150]}")
        typer.echo(
            f"{result.clusters} advert(s) (one per near-duplicate cluster) would have been mailed in "
            f"{result.mails} mail(s) ({result.search.delivery}, cadence {result.search.cadence}); "
            f"subject: {result.subject}"
        )
        if show_mail and result.adverts:
            mail = compose(
                search_name=name,
                description=result.search.description,
                adverts=result.adverts,
                language=result.search.language,
                sender=loaded.radar.smtp.sender,
                recipients=loaded.recipients_for(result.search),
                at=now,
                timezone=timezone,
            )
            typer.echo(_text_part(mail.body))

    @alerts_app.command("sent")
    def sent(
        since: str = typer.Option("30d", "--since", help="How far back: 12h, 7d, 4w ..."),
        search: str | None = typer.Option(None, "--search", help="Only this saved search."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
        config: ConfigOption = DEFAULT_CONFIG,
    ) -> None:
        """Every mail in the ledger: when, state, saved search, adverts, recipients and Message-ID."""
        from radar.config.loader import load_config

        loaded = load_config(config)
        ledger = _ledger(loaded)
        mails = ledger.mails(since=datetime.now(UTC) - _window(since), search=search) if ledger else []
        timezone = loaded.radar.timezone
        for mail in mails:
            if as_json:
                record = {
                    "message_id": mail.message_id,
                    "search": mail.search,
                    "state": mail.state,
                    "created_at": mail.created_at.isoformat(),
                    "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
                    "recipients": list(mail.recipients),
                    "adverts": mail.adverts,
                    "attempts": mail.attempts,
                    "possible_duplicate": mail.interrupted_at is not None,
                    "last_error": mail.last_error,
                }
                typer.echo(json.dumps(record, ensure_ascii=False))
                continue
            when = _local(mail.sent_at or mail.created_at, timezone)
            flag = "  possible duplicate" if mail.interrupted_at is not None else ""
            typer.echo(
                f"{when}  {mail.state:<7}  {mail.search}  {mail.adverts} advert(s)  "
                f"to {', '.join(mail.recipients)}  {mail.message_id}{flag}"
            )
            if mail.state != "sent" and mail.last_error:
                retry = _local(mail.next_attempt_at, timezone)
                typer.echo(f"    attempt {mail.attempts} failed: {mail.last_error}; next attempt {retry}")
        if not as_json:
            waiting = sum(1 for mail in mails if mail.state != "sent")
            typer.echo(f"{len(mails)} mail(s), {waiting} waiting to be sent")


def _validate_in_elasticsearch(config: Config, compiled: dict[str, dict[str, object]]) -> int:
    """Ask Elasticsearch to validate every compiled query; return how many it refused."""
    from indexer.client import check_reachable, make_client
    from indexer.templates import IndexNames

    client = make_client(config.radar.elasticsearch)
    failures = 0
    try:
        check_reachable(client, config.radar.elasticsearch.url)
        alias = IndexNames(config.radar.elasticsearch.index_prefix).alias
        if not client.indices.exists(index=alias):
            typer.echo(f"(index {alias} does not exist yet: queries checked for shape only)")
            return 0
        for name, query in compiled.items():
            answer = client.indices.validate_query(index=alias, query=query, explain=True)
            if not answer.get("valid", False):
                failures += 1
                reasons = "; ".join(e.get("error", "?") for e in answer.get("explanations", []))
                typer.echo(
                    f"{config.alert_origins[name]}: {name}: Elasticsearch refuses the query: {reasons}"
                )
    finally:
        client.close()
    return failures


def _text_part(body: bytes) -> str:
    from email import message_from_bytes
    from email.message import EmailMessage
    from email.policy import default

    message = message_from_bytes(body, policy=default)
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain",))
        if part is not None and isinstance(part, EmailMessage):
            return str(part.get_content())
    return ""
