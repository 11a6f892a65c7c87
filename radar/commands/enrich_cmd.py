"""``smokkelradar enrich [FILE]``: tag adverts from JSON Lines, one enrichment record per line.

Input: one JSON object per line with ``id`` and ``text`` (join title and body yourself);
every other field is passed through. Output: one JSON line per input line, on stdout, in
input order (docs/enrichment.md describes the record). A line that is not a JSON object is
reported on stderr as ``FILE:LINE: message`` and skipped; the exit status is then 1.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

KEYWORDS_HELP = (
    "A keywords folder to use instead of the one radar.yaml names (or the shipped config/keywords)."
)
CONFIG_HELP = "A radar.yaml whose keywords folder to use (default: the shipped config/keywords)."


def keyword_source(keywords: Path | None, config: Path | None) -> object:
    """What ``nlp.build_pipeline`` should read: a keywords folder, a loaded config, or None (shipped)."""
    if keywords is not None:
        return keywords
    if config is not None:
        from radar.config.loader import load_config

        return load_config(config)
    return None


def build_or_exit(keywords: Path | None, config: Path | None) -> Any:
    """The pipeline, or exit 1 with every configuration problem printed."""
    from radar.config.problems import ConfigError

    try:
        source = keyword_source(keywords, config)
        from nlp import build_pipeline

        return build_pipeline(source)
    except ConfigError as error:
        for problem in error.problems:
            typer.echo(f"{problem}  [{problem.code.value}]", err=True)
        raise typer.Exit(1) from error


class _Reader:
    """JSON objects from a JSON Lines stream; bad lines are reported and counted, never fatal."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream, self.name, self.bad = stream, name, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for number, line in enumerate(self.stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                self._bad(number, f"not JSON: {error.msg} (column {error.colno})")
                continue
            if not isinstance(record, dict):
                self._bad(number, f"expected a JSON object, got {type(record).__name__}")
                continue
            yield record

    def _bad(self, number: int, message: str) -> None:
        self.bad += 1
        typer.echo(f"{self.name}:{number}: {message}", err=True)


def register(app: typer.Typer) -> None:
    @app.command("enrich")
    def enrich(
        file: Annotated[
            Path | None,
            typer.Argument(help="JSON Lines file to read; standard input when left out.", show_default=False),
        ] = None,
        keywords: Annotated[Path | None, typer.Option("--keywords", "-k", help=KEYWORDS_HELP)] = None,
        config: Annotated[Path | None, typer.Option("--config", "-c", help=CONFIG_HELP)] = None,
        batch_size: Annotated[
            int, typer.Option("--batch-size", min=1, help="Adverts per spaCy batch.")
        ] = 256,
    ) -> None:
        """Tag adverts: language, places and route, prices, documents, transport, contacts, relevance.

        Reads {"id": ..., "text": ...} per line (extra fields are passed through) and writes one
        JSON line per input line. Exit status: 0 when every line was read, 1 when a line was not
        a JSON object or the keyword configuration is invalid.
        """
        nlp = build_or_exit(keywords, config)
        from nlp import enrich_texts

        if file is not None and not file.is_file():
            typer.echo(f"{file}: file not found", err=True)
            raise typer.Exit(1)
        with file.open(encoding="utf-8", errors="replace") if file else _stdin() as stream:
            reader = _Reader(stream, str(file) if file else "<stdin>")
            out = sys.stdout
            for record in enrich_texts(nlp, reader, batch_size=batch_size):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        if reader.bad:
            typer.echo(f"{reader.bad} line{'s' if reader.bad != 1 else ''} skipped.", err=True)
            raise typer.Exit(1)


def _stdin() -> AbstractContextManager[TextIO]:
    """Standard input as UTF-8 whatever the locale, undecodable bytes replaced (not fatal); not closed."""
    stream = sys.stdin
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors="replace")
    return nullcontext(stream)
