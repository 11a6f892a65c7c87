"""``smokkelradar eval``: precision, recall and F1 of the enrichment against the labelled corpus.

Prints one table per field (overall and per language), language accuracy (also on adverts
under 8 words) and the relevance ROC AUC; ``--json`` prints the same figures as JSON.
``--baselines`` adds language accuracy of langdetect alone and lingua alone. Analysts run
this before a keyword change goes live (``--keywords`` points at the changed folder).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from radar.commands.enrich_cmd import CONFIG_HELP, KEYWORDS_HELP, build_or_exit

_FIELD_LABELS = {
    "route": "route (slot, country)",
    "route_countries": "route countries",
    "places": "places (name, country)",
    "place_roles": "places (name, role)",
    "prices": "prices (amount, currency)",
    "price_kinds": "prices with kind",
}


def format_report(figures: dict[str, Any]) -> str:
    """The evaluation as plain-text tables."""
    language = figures["language"]
    lines = [
        f"adverts: {figures['adverts']}",
        f"language accuracy: {language['accuracy']:.3f} "
        f"(adverts under 8 words: {language['short_accuracy']:.3f}, n={language['short_adverts']})",
        f"relevance ROC AUC: {figures['relevance_auc']:.3f}",
        "",
        f"{'field':<28}{'precision':>10}{'recall':>9}{'F1':>8}{'support':>9}",
    ]
    for name, counts in figures["fields"].items():
        label = _FIELD_LABELS.get(name, name)
        lines.append(
            f"{label:<28}{counts['precision']:>10.3f}{counts['recall']:>9.3f}{counts['f1']:>8.3f}{counts['support']:>9}"
        )
    languages = sorted(figures["by_language"])
    lines += ["", "F1 per language", f"{'field':<20}" + "".join(f"{lang:>7}" for lang in languages)]
    lines.append(
        f"{'language acc.':<20}" + "".join(f"{language['by_language'][lang]:>7.2f}" for lang in languages)
    )
    for name in figures["fields"]:
        row = "".join(f"{figures['by_language'][lang][name]['f1']:>7.2f}" for lang in languages)
        lines.append(f"{name:<20}{row}")
    for name, baseline in figures.get("baselines", {}).items():
        accuracy, short = baseline["accuracy"], baseline["short_accuracy"]
        lines.append(f"\n{name}: language accuracy {accuracy:.3f}, under 8 words {short:.3f}")
    return "\n".join(lines)


def run_evaluation(nlp: Any, corpus: Path, *, baselines: bool = False) -> dict[str, Any]:
    """Enrich every corpus advert and score the records; the figures as a plain dict."""
    from nlp import enrich_texts
    from nlp.evaluation import advert_text, evaluate, load_corpus

    entries = load_corpus(corpus)
    records = list(enrich_texts(nlp, ({"id": e["id"], "text": advert_text(e)} for e in entries)))
    fold = nlp.get_pipe("smokkelradar_normalize").fold_term
    figures = evaluate(entries, records, fold).as_dict()
    if baselines:
        from nlp.baselines import langdetect_alone, lingua_alone

        figures["baselines"] = {
            "langdetect alone": langdetect_alone(entries),
            "lingua alone": lingua_alone(entries),
        }
    return figures


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def evaluate_command(
        corpus: Annotated[
            Path, typer.Option("--corpus", help="Folder of labelled adverts_*.yaml and decoys_*.yaml files.")
        ] = Path("tests/sites/corpus"),
        keywords: Annotated[Path | None, typer.Option("--keywords", "-k", help=KEYWORDS_HELP)] = None,
        config: Annotated[Path | None, typer.Option("--config", "-c", help=CONFIG_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
        baselines: Annotated[
            bool, typer.Option("--baselines", help="Also score langdetect alone and lingua alone.")
        ] = False,
        labels: Annotated[
            bool,
            typer.Option(
                "--labels", help="Score the officers' labels (smokkelradar label) instead of the corpus."
            ),
        ] = False,
        threshold: Annotated[
            float,
            typer.Option(
                "--threshold", help="With --labels: the score from which an advert counts as relevant."
            ),
        ] = 0.5,
    ) -> None:
        """Score the enrichment on the labelled corpus: P/R/F1 per field and language, ROC AUC.

        With --labels, the figures on the labels given with ``smokkelradar label`` (docs/workbench.md).

        Exit status: 0 when the corpus was scored, 1 when the corpus or the keywords are missing
        or invalid.
        """
        if labels:  # the labels live under radar.yaml's state folder (workbench.labels)
            from workbench.label_eval import evaluate_labels_command

            typer.echo(evaluate_labels_command(build_or_exit(keywords, config), config, threshold, as_json))
            return
        if not corpus.is_dir() or not any(corpus.glob("adverts_*.yaml")):
            typer.echo(f"{corpus}: no adverts_*.yaml files here", err=True)
            raise typer.Exit(1)
        nlp = build_or_exit(keywords, config)
        figures = run_evaluation(nlp, corpus, baselines=baselines)
        typer.echo(json.dumps(figures, indent=2) if as_json else format_report(figures))
