"""What the components share, built once per process from the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from nlp.gazetteer import Gazetteer
from nlp.terms import TermMatcher, WordIndex
from nlp.textfold import Folder
from nlp.vocabulary import Vocabulary


@dataclass
class Resources:
    """The vocabulary and the expensive things derived from it (folders, gazetteer)."""

    vocab: Vocabulary

    @cached_property
    def folder(self) -> Folder:
        return Folder(self.vocab.normalization)

    @cached_property
    def light_folder(self) -> Folder:
        """Keeps letter variants: ي and ی tell Arabic from Persian."""
        return Folder(self.vocab.normalization, light=True)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return Gazetteer(self.vocab, self.folder)

    @cached_property
    def word_index(self) -> WordIndex:
        """Shared by every matcher of the pipeline: an advert's words are looked up once for all."""
        return WordIndex()

    @cached_property
    def gated_languages(self) -> frozenset[str]:
        """Languages whose Latin-script words only count in adverts detected in that language:
        Latin languages (Dutch "van" is not a van) and romanized ones (Arabizi "l" = to)."""
        return frozenset(self.vocab.languages)

    def keyword_matcher(self, *, suffixes: tuple[str, ...] = ()) -> TermMatcher[Any]:
        """A matcher for keywords of any concern: glued prefixes and suffixes of the normalization
        config are stripped, Latin words are gated by language."""
        config = self.vocab.normalization
        return TermMatcher(
            self.folder,
            prefixes=config.prefixes,
            suffixes=(*config.suffixes, *suffixes),
            gated_languages=self.gated_languages,
            index=self.word_index,
        )
