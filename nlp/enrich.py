"""``enrich_texts(nlp, records)``: records in, enrichment records out, one for one.

Input records are mappings with ``id`` and ``text`` (callers join title and body); every
other field passes through untouched. Texts are made safe first: non-strings become
strings, lone surrogates become U+FFFD (same length, so offsets stay true), and text
beyond the pipeline's ``max_chars`` is cut (``truncated: true``). Batches go through
``nlp.pipe``; if a batch fails, its adverts are redone one by one and an advert that still
fails gets an empty record and a logged error: nothing is dropped.

The ``Doc``s made here carry no spaCy tokens and no span groups (``nlp.annotations.for_record``):
every component reads the advert from the text kept beside the ``Doc`` and from its own folded
tokens (``nlp.normalize``), never from spaCy's, and the record is all that leaves this function.
spaCy's tokenizer, the lexemes it makes for every new word, and span groups over its tokens cost a
sixth of the enrichment and were thrown away with the ``Doc``. ``nlp(text)`` and
``nlp.pipe(texts)`` still tokenize and fill ``doc.spans``, for spaCy tooling (displaCy); their
records are the same (``tests/unit/nlp/test_nlp_speedups.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import for_record
from nlp.record import empty_record, record_of
from radar.logs import get_logger

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
DEFAULT_MAX_CHARS = 20000
log = get_logger("nlp.enrich")


def clean_text(value: object, max_chars: int) -> tuple[str, bool]:
    """A text the pipeline can always read, and whether it was cut."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
    else:
        text = str(value)
    if _SURROGATE_RE.search(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    if len(text) > max_chars:
        return text[:max_chars], True
    return text, False


def max_chars_of(nlp: Language) -> int:
    if "smokkelradar_normalize" in nlp.pipe_names:
        limit = getattr(nlp.get_pipe("smokkelradar_normalize"), "max_chars", None)
        if isinstance(limit, int):
            return limit
    return DEFAULT_MAX_CHARS


def enrich_texts(
    nlp: Language, records: Iterable[Mapping[str, Any]], *, batch_size: int = 256
) -> Iterator[dict[str, Any]]:
    """One output record per input record, in order: ``id``, the enrichment (with the
    ``keywords_version`` of the pipeline), the extra fields."""
    limit = max_chars_of(nlp)
    version = nlp.meta.get("keywords_version")
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        cleaned = [clean_text(record.get("text"), limit) for record in batch]
        for record, (_, truncated), enrichment in zip(
            batch, cleaned, _enrich_batch(nlp, cleaned), strict=True
        ):
            enrichment["truncated"] = enrichment["truncated"] or truncated
            enrichment["keywords_version"] = version
            extras = {k: v for k, v in record.items() if k not in ("id", "text") and k not in enrichment}
            yield {"id": record.get("id"), **enrichment, **extras}


def _enrich_batch(nlp: Language, cleaned: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    try:
        # Untokenized Docs holding their text (see the module's docstring); made one at a time, as
        # nlp.pipe would, so each is gone once its record is out.
        vocab = nlp.vocab
        docs = (for_record(Doc(vocab), text) for text, _ in cleaned)
        return [record_of(doc) for doc in nlp.pipe(docs, batch_size=len(cleaned))]
    except Exception:  # a bug in a component must not lose the batch: redo it advert by advert
        log.exception("enrichment of a batch failed; retrying one advert at a time")
    results = []
    for text, truncated in cleaned:
        try:
            results.append(record_of(nlp(text)))
        except Exception as error:
            log.error("enrichment failed for one advert", extra={"error": repr(error), "chars": len(text)})
            results.append(empty_record(truncated=truncated))
    return results
