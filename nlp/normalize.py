"""``smokkelradar_normalize``: fold the advert for matching, keeping offsets to the original.

The first component. It puts an ``Analysis`` on ``doc._.radar`` holding the folded text
(see ``nlp.textfold``), its offset map, its word tokens and, for every matcher of the pipeline
at once, the words that can start one of its keywords (``nlp.terms.WordIndex``); every later
component reads those. Text beyond ``max_chars`` is not folded (``truncated``), which bounds the time any
advert can take.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import Analysis, register_extensions, set_analysis, text_of, truncated_flag
from nlp.resources import Resources
from nlp.terms import WordIndex
from nlp.textfold import Folder

_TEXT = itemgetter(0)  # a Token's text


class Normalizer:
    def __init__(self, *, name: str = "smokkelradar_normalize", max_chars: int | None = None) -> None:
        self.name = name
        self.max_chars = max_chars
        self._folder: Folder | None = None
        self._index: WordIndex | None = None
        register_extensions()

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        self._folder = resources.folder
        self._index = resources.word_index
        if self.max_chars is None:
            self.max_chars = resources.vocab.normalization.max_chars

    def fold_term(self, text: str) -> str:
        """``text`` folded as keywords are: how evaluation and tools compare names."""
        if self._folder is None:
            raise ValueError("smokkelradar_normalize is not initialized: build it with nlp.build_pipeline")
        return self._folder.fold_term(text)

    def __call__(self, doc: Doc) -> Doc:
        if self._folder is None:
            raise ValueError("smokkelradar_normalize is not initialized: build it with nlp.build_pipeline")
        full = text_of(doc)
        text, truncated = full, truncated_flag(doc)
        if self.max_chars is not None and len(full) > self.max_chars:
            text, truncated = full[: self.max_chars], True
        folded = self._folder.fold(text)
        tokens = self._folder.tokenize(folded.text)
        words = list(map(_TEXT, tokens))
        # Every matcher's candidate words at once (nlp.terms.WordIndex), for the later components.
        candidates = self._index.lookup(words) if self._index is not None else None
        set_analysis(
            doc,
            Analysis(
                text=full,
                folded=folded,
                tokens=tokens,
                words=words,
                candidates=candidates,
                truncated=truncated,
            ),
        )
        return doc


@Language.factory("smokkelradar_normalize", default_config={"max_chars": None})
def make_normalizer(nlp: Language, name: str, max_chars: int | None) -> Normalizer:
    return Normalizer(name=name, max_chars=max_chars)
