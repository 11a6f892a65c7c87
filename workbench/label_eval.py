"""``smokkelradar eval --labels``: how the current keywords do on the labels officers gave.

* relevance — the newest relevant / not-relevant verdict per advert against the score the
  current keywords give it: precision, recall and F1 of "score ≥ threshold" for "relevant",
  accuracy, and the ROC AUC of the score;
* wrong fields — for each advert and field labelled wrong, whether the current keywords still
  give that field the value that was judged wrong (``still wrong``) or something else (``changed``).

Every advert is re-enriched from the text stored with its label, so the figures move as soon as
the keywords change, and a new label moves them too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp import enrich_texts
from nlp.evaluation import roc_auc
from workbench.compare import FIELD_ITEMS
from workbench.enriched import enriched_fields, pipeline_text
from workbench.labels import Label


def label_figures(nlp: Language, labels: Sequence[Label], threshold: float = 0.5) -> dict[str, Any]:
    texts = {label.advert_id: pipeline_text(label.title, label.text) for label in labels}
    records = dict(
        zip(texts, enrich_texts(nlp, ({"id": a, "text": t} for a, t in texts.items())), strict=True)
    )
    documents = {
        advert_id: enriched_fields({"advert_id": advert_id, "title": None, "text": texts[advert_id]}, record)
        for advert_id, record in records.items()
    }
    tp = fp = fn = tn = 0
    scored: list[tuple[float, bool]] = []
    wrong: dict[str, dict[str, int]] = {}
    for label in labels:
        document = documents[label.advert_id]
        if label.verdict in ("relevant", "not-relevant"):
            relevant = label.verdict == "relevant"
            score = float(document.get("score") or 0.0)
            scored.append((score, relevant))
            predicted = score >= threshold
            tp += predicted and relevant
            fp += predicted and not relevant
            fn += (not predicted) and relevant
            tn += (not predicted) and not relevant
        elif label.field is not None:
            now = sorted(FIELD_ITEMS[label.field](document))
            entry = wrong.setdefault(label.field, {"labelled": 0, "still_wrong": 0, "changed": 0})
            entry["labelled"] += 1
            entry["still_wrong" if now == label.snapshot.get("items") else "changed"] += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    judged = tp + fp + fn + tn
    return {
        "labels": len(labels),
        "adverts": len(texts),
        "threshold": threshold,
        "relevance": {
            "labelled": judged, "relevant": tp + fn, "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4),
            "accuracy": round((tp + tn) / judged, 4) if judged else 0.0,
            "roc_auc": round(roc_auc(scored), 4), "true_positives": tp, "false_positives": fp,
            "false_negatives": fn, "true_negatives": tn,
        },
        "wrong_fields": wrong,
    }  # fmt: skip


def format_label_figures(figures: dict[str, Any]) -> str:
    relevance = figures["relevance"]
    lines = [
        f"labels: {figures['labels']} on {figures['adverts']} adverts (threshold {figures['threshold']:g})",
        f"relevance: {relevance['labelled']} judged ({relevance['relevant']} relevant): precision "
        f"{relevance['precision']:.3f}, recall {relevance['recall']:.3f}, F1 {relevance['f1']:.3f}, "
        f"accuracy {relevance['accuracy']:.3f}, ROC AUC {relevance['roc_auc']:.3f}",
    ]
    for field, counts in sorted(figures["wrong_fields"].items()):
        lines.append(
            f"wrong {field}: {counts['labelled']} labelled, {counts['still_wrong']} still wrong, "
            f"{counts['changed']} changed since"
        )
    if not figures["labels"]:
        lines.append("no labels yet: smokkelradar label ID relevant|not-relevant|wrong-field FIELD")
    return "\n".join(lines)


def evaluate_labels_command(nlp: Language, radar_yaml: Path | None, threshold: float, as_json: bool) -> str:
    """What ``smokkelradar eval --labels`` prints: the figures on the labels of radar.yaml's state folder."""
    from radar.config.loader import default_config_path, load_config
    from workbench.labels import LabelStore, labels_path

    config = load_config(radar_yaml or default_config_path())
    with LabelStore(labels_path(config)) as store:
        figures = label_figures(nlp, store.current(), threshold)
    return json.dumps(figures, indent=2) if as_json else format_label_figures(figures)
