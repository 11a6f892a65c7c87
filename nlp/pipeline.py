"""``build_pipeline(config)``: the enrichment pipeline as a spaCy ``Language``.

A blank multi-language (``xx``) pipeline: its tokenizer handles every script we read and
it starts in milliseconds (``spacy.blank("fr")`` takes seconds). The components come from
``nlp/`` and are registered with ``@Language.factory``; their vocabulary is data, given to
each component's ``initialize``. Build it once per process and reuse it.
"""

from __future__ import annotations

import gc
import importlib
from typing import Any

import spacy
from spacy.language import Language

from nlp.resources import Resources
from nlp.version import keywords_version
from nlp.vocabulary import keyword_files_of, merge

# Order matters: every component reads what the ones before it found.
COMPONENTS: tuple[str, ...] = (
    "normalize",
    "language",
    "places",
    "documents",
    "transport",
    "prices",
    "contacts",
    "relevance",
)


def build_pipeline(config: object = None) -> Language:
    """The pipeline for a loaded ``Config``, a keywords folder (``Path``), a list of
    ``KeywordFile`` models, or ``None`` for the shipped ``config/keywords``."""
    files = keyword_files_of(config)
    vocab = merge(files)
    resources = Resources(vocab)
    nlp = spacy.blank("xx")
    _let_tokenizer_cache(nlp)
    # Every record this pipeline writes names the configuration that tagged it (nlp.version).
    nlp.meta["keywords_version"] = keywords_version(files)
    for component in COMPONENTS:
        importlib.import_module(f"nlp.{component}")  # registers the factory
        nlp.add_pipe(f"smokkelradar_{component}")
    for _, pipe in nlp.pipeline:
        pipe.initialize(nlp=nlp, resources=resources)  # type: ignore[attr-defined]
    # The gazetteer and matchers are a few hundred thousand long-lived objects. Left to the cyclic
    # garbage collector, every collection walks them again: enrichment ran three times slower.
    # Freezing moves everything alive now out of its reach (the pipeline lives as long as the process).
    gc.freeze()
    return nlp


# Whitespace special cases of spaCy's base exceptions that only set ORTH: the token they make is
# the one the tokenizer makes of that whitespace without them. (U+00A0's also sets NORM: kept.)
_PLAIN_WHITESPACE_SPECIALS = ("\n", "\t", " ")


def _let_tokenizer_cache(nlp: Language) -> None:
    """Drop the special cases that stop spaCy's tokenizer from caching.

    Once a special case fires in a text, spaCy's tokenizer caches none of the text's later
    chunks (spaCy issue #1250), and a lone line break is a special case: after an advert's
    first line every chunk was split with the prefix, suffix and infix patterns again, which was
    five sixths of the tokenizer's time. Without these three cases the tokens are the same
    (compared byte for byte with ``Doc.to_bytes`` on the corpora and the crawl benchmark's adverts).
    """
    tokenizer: Any = nlp.tokenizer  # spaCy's Tokenizer (compiled, without type information)
    rules = getattr(tokenizer, "rules", None)
    if isinstance(rules, dict):
        tokenizer.rules = {k: v for k, v in rules.items() if k not in _PLAIN_WHITESPACE_SPECIALS}
