"""Speed-ups of the enrichment the crawl relies on must not change a single number.

``nlp.fast_langdetect`` runs langdetect's algorithm on numpy vectors; here both run on every
text of the labelled corpus (and its titles, short heads and pairs of heads) and must agree exactly —
the same languages with bit-identical probabilities, or the same error.
"""

from __future__ import annotations

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from nlp.fast_langdetect import detect_langs as fast_detect_langs
from tests.sites.demoweb import load_corpus


def _outcome(detect: object, text: str) -> object:
    try:
        return [(found.lang, found.prob) for found in detect(text)]  # type: ignore[operator]
    except LangDetectException as error:
        return f"error: {error}"


def test_fast_langdetect_gives_langdetects_exact_results_on_the_whole_corpus() -> None:
    DetectorFactory.seed = 0
    texts: list[str] = []
    entries = load_corpus()
    for entry, other in zip(entries, entries[7:] + entries[:7], strict=True):
        texts += [entry.text[:1000], entry.text[:80], entry.title or "", "12 34 €€ !!"]
        # Two adverts' heads together (mostly two languages): trials that take long to converge.
        texts.append(f"{entry.text[:120]} {other.text[:120]}")
    differences = [
        text[:60] for text in texts if _outcome(detect_langs, text) != _outcome(fast_detect_langs, text)
    ]
    assert len(texts) > 1000
    assert differences == []
