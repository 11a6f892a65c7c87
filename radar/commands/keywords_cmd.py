"""``smokkelradar keywords``: check, try, back-test, discover and accept keyword terms (docs/workbench.md).

The work is done in ``workbench/``; these commands parse options, print and choose the exit
status. Exit statuses: 0 fine; 1 invalid keyword files (or another error the message names);
3 (``diff`` only) the labelled evaluation got worse than the tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

KEYWORDS_HELP = "The keywords folder (default: the one --config names, else the shipped config/keywords)."
CONFIG_HELP = "A radar.yaml: its keywords folder, and for diff/suggest its Elasticsearch."
EXIT_WORSE = 3

KeywordsOption = Annotated[Path | None, typer.Option("--keywords", "-k", help=KEYWORDS_HELP)]
ConfigFileOption = Annotated[Path | None, typer.Option("--config", "-c", help=CONFIG_HELP)]

app = typer.Typer(help="Check, test, back-test and grow the keyword vocabulary (config/keywords).")


def _print_problems(error: Exception) -> None:
    for problem in getattr(error, "problems", []):
        typer.echo(f"{problem}  [{problem.code.value}]", err=True)


@app.command("check")
def check(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Keyword files or folders (default: the folder).")
    ] = None,
    keywords: KeywordsOption = None,
    config: ConfigFileOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    no_warnings: Annotated[bool, typer.Option("--no-warnings", help="Print errors only.")] = False,
    regex_timeout: Annotated[
        float, typer.Option("--regex-timeout", help="Seconds a regex probe may run before it counts as slow.")
    ] = 1.0,
    max_weight: Annotated[
        float, typer.Option("--max-weight", help="Largest |weight| of a relevance rule.")
    ] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check keyword files: schema, duplicates, shadowed or never-matching terms, regexes, weights.

    Every problem as file:line: key.path: message (code). Exit 0 without errors; 1 with errors (or with
    warnings under --strict).
    """
    from workbench.checks import check_keywords
    from workbench.checks.weights import WeightLimits
    from workbench.folders import resolve_keywords
    from workbench.render import check_summary

    folder = resolve_keywords(keywords, config)
    named = files or [folder]
    context = folder if (keywords is not None or config is not None) and files else None
    report = check_keywords(
        named, keywords=context, regex_timeout=regex_timeout, limits=WeightLimits(rule=max_weight)
    )
    shown = report.errors if no_warnings else report.findings
    if as_json:
        rows = [
            {
                "file": str(f.problem.file), "line": f.problem.line, "key_path": f.problem.key_path,
                "message": f.problem.message, "code": f.problem.code.value, "severity": f.severity,
            }
            for f in shown
        ]  # fmt: skip
        typer.echo(
            json.dumps({"findings": rows, "summary": check_summary(report)}, ensure_ascii=False, indent=2)
        )
    else:
        for item in shown:
            typer.echo(str(item))
        typer.echo(check_summary(report))
    raise typer.Exit(1 if report.failed(strict) else 0)


@app.command("test")
def test(
    file: Annotated[Path, typer.Argument(help="A keyword file (laid over its folder) or a keywords folder.")],
    text: Annotated[str, typer.Option("--text", "-t", help="The advert text to enrich.")],
    keywords: KeywordsOption = None,
    config: ConfigFileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record and the marks as JSON.")] = False,
) -> None:
    """Enrich TEXT with FILE applied and show each entity and fired rule marked in the text."""
    from rich.console import Console

    from nlp import build_pipeline
    from radar.config.problems import ConfigError
    from workbench.folders import resolve_keywords
    from workbench.keyword_sets import load_files
    from workbench.marks import Marker
    from workbench.render import print_test

    if file.is_dir():
        folder, overlays = file, []
    else:
        folder = keywords or (resolve_keywords(None, config) if config else file.parent)
        overlays = [file]
    try:
        files = load_files(folder, overlays)
    except ConfigError as error:
        _print_problems(error)
        raise typer.Exit(1) from error
    result = Marker(build_pipeline(files), files).test(text)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    print_test(Console(), text, result)


@app.command("diff")
def diff(
    against: Annotated[
        str,
        typer.Option(
            "--against", "-a", help="Baseline: a git revision (HEAD) of the keywords folder, or a folder."
        ),
    ] = "HEAD",
    sample: Annotated[
        int, typer.Option("--sample", "-n", help="Indexed adverts to re-enrich (0: evaluation only).")
    ] = 1000,
    since: Annotated[
        str | None, typer.Option("--since", help="Adverts dated since: 30d, 2w, or a date.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only adverts of this source (repeat).")
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Largest drop of any evaluation figure that still passes.")
    ] = 0.01,
    min_support: Annotated[
        int, typer.Option("--min-support", help="Labelled items a language needs for its own F1 to count.")
    ] = 5,
    threshold: Annotated[
        list[float] | None,
        typer.Option("--threshold", help="Relevance threshold to report besides the alerts'."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random sample.")] = 7,
    examples: Annotated[int, typer.Option("--examples", help="Example adverts per change.")] = 3,
    no_eval: Annotated[bool, typer.Option("--no-eval", help="Skip the labelled evaluation set.")] = False,
    keywords: KeywordsOption = None,
    config: ConfigFileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
) -> None:
    """Back-test the keywords against --against on indexed adverts and the labelled evaluation set.

    Exit 0: no evaluation figure worse than --tolerance; 3: worse; 1: invalid keywords or no
    Elasticsearch.
    """
    from contextlib import ExitStack

    from radar.commands.options import DEFAULT_CONFIG
    from radar.config.problems import ConfigError
    from workbench.diff import DiffOptions, run_diff
    from workbench.diff_report import format_diff
    from workbench.folders import resolve_keywords
    from workbench.keyword_sets import load_files, revision_folder
    from workbench.sample import since_moment

    folder = resolve_keywords(keywords, config)
    options = DiffOptions(
        sample=sample, since=since_moment(since) if since else None, sources=tuple(source or ()), seed=seed,
        tolerance=tolerance, min_support=min_support, thresholds=tuple(threshold or ()), examples=examples,
        evaluate=not no_eval,
    )  # fmt: skip
    with ExitStack() as stack:
        baseline_folder = Path(against)
        if not baseline_folder.is_dir():
            baseline_folder = stack.enter_context(revision_folder(against, folder))
        try:
            proposed, baseline = load_files(folder), load_files(baseline_folder)
        except ConfigError as error:
            _print_problems(error)
            raise typer.Exit(1) from error
        client, alias, searches = None, "", {}
        if sample > 0:
            from indexer.stage import connected
            from radar.config.loader import load_config

            radar_yaml = config or DEFAULT_CONFIG
            settings, client = stack.enter_context(connected(radar_yaml))
            alias, searches = settings.names.alias, dict(load_config(radar_yaml).alerts)
        report = run_diff(
            baseline,
            proposed,
            against=against,
            client=client,
            alias=alias,
            searches=searches,
            options=options,
        )
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json else format_diff(report))
    raise typer.Exit(EXIT_WORSE if report.failed else 0)


@app.command("suggest")
def suggest(
    lang: Annotated[
        list[str] | None, typer.Option("--lang", "-l", help="Only this language (repeat).")
    ] = None,
    since: Annotated[
        str, typer.Option("--since", help="Recent adverts: dated since 30d, 2w, or a date.")
    ] = "30d",
    min_score: Annotated[
        float, typer.Option("--min-score", help="Relevance that makes an advert 'relevant'.")
    ] = 0.5,
    size: Annotated[int, typer.Option("--size", help="Suggestions per language.", min=1, max=200)] = 15,
    keywords: KeywordsOption = None,
    config: ConfigFileOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the suggestions as JSON.")] = False,
) -> None:
    """Propose new terms: words of recent relevant adverts the keywords lack, per language, with examples.

    Elasticsearch's significant_text against the rest of the index. Accept one with: smokkelradar
    keywords accept TERM --file F --concern transport.boat --lang L
    """
    from indexer.stage import connected
    from nlp.resources import Resources
    from nlp.vocabulary import merge
    from radar.commands.options import DEFAULT_CONFIG
    from radar.config.problems import ConfigError
    from workbench.folders import resolve_keywords
    from workbench.keyword_sets import load_files
    from workbench.sample import since_moment
    from workbench.suggest import suggest as find_suggestions

    try:
        files = load_files(resolve_keywords(keywords, config))
    except ConfigError as error:
        _print_problems(error)
        raise typer.Exit(1) from error
    folder = Resources(merge(files)).folder
    with connected(config or DEFAULT_CONFIG) as (settings, client):
        found = find_suggestions(
            client, settings.names.alias, files, folder, languages=tuple(lang or ()),
            since=since_moment(since), min_score=min_score, size=size,
        )  # fmt: skip
    if as_json:
        typer.echo(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
        return
    if not found:
        typer.echo("no new terms stand out in the recent relevant adverts")
    for item in found:
        phrase = f"  (mostly as '{item.phrase}')" if item.phrase else ""
        typer.echo(
            f"[{item.language}] {item.term}{phrase}: {item.adverts} recent relevant adverts, "
            f"{item.background} in all, score {item.score:.2f}"
        )
        for example in item.examples:
            typer.echo(f"    {example['advert_id']} [{example['source']}]: {example['snippet']}")


@app.command("accept")
def accept(
    term: Annotated[str, typer.Argument(help="The term or phrase, as adverts write it.")],
    file: Annotated[Path, typer.Option("--file", "-f", help="The keyword file to add it to.")],
    concern: Annotated[
        str,
        typer.Option("--concern", help="Where: transport.boat, documents.passport, relevance.<rule>, ..."),
    ],
    lang: Annotated[
        str, typer.Option("--lang", "-l", help="The language list to add it to (or any).")
    ] = "any",
    keywords: KeywordsOption = None,
) -> None:
    """Write a term into a keyword file (comments and layout kept) and check the file again.

    A new error puts the file back as it was and exits 1.
    """
    from radar.errors import RadarError
    from workbench.accept import accept_term

    try:
        accepted = accept_term(file, term, concern, lang, context=keywords)
    except RadarError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    how = "" if accepted.in_place else " (file rewritten by ruamel round-trip)"
    typer.echo(f"added '{term}' at {accepted.file}:{accepted.line}: {accepted.key_path}{how}")
    for warning in accepted.warnings:
        typer.echo(str(warning))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="keywords")
