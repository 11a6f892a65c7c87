"""Language identification by langdetect alone and by lingua alone, on the labelled corpus.

For comparison only (``smokkelradar eval --baselines``): the pipeline combines script
analysis, telling letters, frequent words and langdetect; these show what each library
gets on its own. Neither knows Pashto, Sorani, Tigrinya or Amharic, so those adverts
count as misses for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nlp.evaluation import SHORT_WORDS, advert_text

SUPPORTED = ("ar", "fa", "ps", "ckb", "ur", "tr", "ti", "am", "so", "en", "fr", "nl", "de", "it", "el")


def _accuracy(entries: list[dict[str, Any]], detect: Callable[[str], str | None]) -> dict[str, Any]:
    hits: dict[str, list[bool]] = {}
    short: list[bool] = []
    for entry in entries:
        text = advert_text(entry)
        correct = detect(text) == entry["lang"]
        hits.setdefault(entry["lang"], []).append(correct)
        if len(text.split()) < SHORT_WORDS:
            short.append(correct)
    every = [h for values in hits.values() for h in values]
    return {
        "accuracy": round(sum(every) / len(every), 4) if every else 0.0,
        "short_accuracy": round(sum(short) / len(short), 4) if short else 0.0,
        "by_language": {lang: round(sum(v) / len(v), 4) for lang, v in sorted(hits.items())},
    }


def langdetect_alone(entries: list[dict[str, Any]]) -> dict[str, Any]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    def run(text: str) -> str | None:
        DetectorFactory.seed = 0
        try:
            return str(detect(text))
        except LangDetectException:
            return None

    return _accuracy(entries, run)


def lingua_alone(entries: list[dict[str, Any]], *, high_accuracy: bool = True) -> dict[str, Any]:
    """lingua restricted to the supported languages it knows (about 370 MB in high-accuracy mode)."""
    from lingua import Language, LanguageDetectorBuilder

    known = [lang for lang in Language.all() if lang.iso_code_639_1.name.lower() in SUPPORTED]
    builder = LanguageDetectorBuilder.from_languages(*known)
    if not high_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.build()

    def run(text: str) -> str | None:
        found = detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else None

    return _accuracy(entries, run)
