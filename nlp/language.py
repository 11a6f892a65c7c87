"""``smokkelradar_language``: which language an advert is in, and which others it mixes in.

langdetect knows neither Pashto, Sorani, Tigrinya nor Amharic and guesses poorly on a
handful of Latin words, so it is one voice among several:

1. letters are counted per script (Arabic, Ethiopic, Latin, Greek); the script with most
   letters decides which languages compete;
2. inside a script each language scores its telling letters (Pashto ړ ښ, Sorani ڵ ێ, Arabic
   ة ي, Persian ی پ, Tigrinya ኣ ቐ) and its frequent words (``languages.yaml``);
3. for a Latin-script text long enough, where the words leave the choice open, langdetect's
   probabilities are added (seeded: ``DetectorFactory.seed = 0`` makes it deterministic).

Confidence is the softmax share of the winner among its script's languages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import analysis_of
from nlp.resources import Resources
from nlp.terms import Gate
from nlp.textfold import Folder
from radar.config.keywords import LanguageDetection, LanguageProfile

_LETTERS_RE = re.compile(r"[^\W\d_]+")
_ALNUM_RE = re.compile(r"[^\W_]+")  # romanized Arabic writes letters with digits: 3andna, re7la
_SCRIPTS = ("arabic", "ethiopic", "latin", "greek", "cyrillic")
# Only the head of a long advert is read: the language does not change after 2,000 characters.
_READ_CHARS = 2000


def _script_of_char(char: str) -> str | None:
    if not char.isalpha():
        return None
    code = ord(char)
    if code < 0x250:
        return "latin"
    if 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF:
        return "ethiopic"
    if 0x370 <= code <= 0x3FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    if 0x400 <= code <= 0x4FF:
        return "cyrillic"
    if unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


# Each script's tag in the text translated to scripts (``_ScriptTable``).
_TAG_OF_SCRIPT = {script: str(number) for number, script in enumerate(_SCRIPTS)}
_SCRIPT_OF_TAG = {tag: script for script, tag in _TAG_OF_SCRIPT.items()}


class _ScriptTable(dict[int, str]):
    """``str.translate`` table: a character to the tag of its script, or to nothing; filled as
    characters are met (each is looked at once per process)."""

    def __missing__(self, code: int) -> str:
        script = _script_of_char(chr(code))
        tag = self[code] = _TAG_OF_SCRIPT[script] if script is not None else ""
        return tag


class LanguageIdentifier:
    def __init__(self, *, name: str = "smokkelradar_language") -> None:
        self.name = name
        self._settings = LanguageDetection()
        self._profiles: dict[str, LanguageProfile] = {}
        self._by_script: dict[str, list[str]] = {}
        self._word_langs: dict[str, tuple[str, ...]] = {}
        self._romanized_langs: dict[str, tuple[str, ...]] = {}
        self._place_langs: dict[str, set[str]] = {}
        self._letter_langs: dict[str, list[tuple[str, float]]] = {}
        self._from_langdetect: dict[str, str] = {}
        self._light: Folder | None = None
        self._script_table = _ScriptTable()
        self._priors: dict[str, float] = {}
        self._telling = re.compile("(?!)")  # any of the telling letters of every language
        self._letter_rank: dict[str, int] = {}

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        vocab = resources.vocab
        self._settings = vocab.language_detection
        self._profiles = dict(vocab.languages)
        self._light = resources.light_folder
        words: dict[str, set[str]] = {}
        romanized: dict[str, set[str]] = {}
        for code, profile in self._profiles.items():
            self._by_script.setdefault(profile.script, []).append(code)
            if profile.romanized and profile.script != "latin":
                self._by_script.setdefault("latin", []).append(code)
            for word in profile.words:
                for token in _LETTERS_RE.findall(self._light.fold_term(word)):
                    words.setdefault(token, set()).add(code)
            for word in profile.romanized:
                for token in _ALNUM_RE.findall(self._light.fold_term(word)):
                    romanized.setdefault(token, set()).add(code)
            for letter, weight in profile.letters.items():
                self._letter_langs.setdefault(letter.lower(), []).append((code, weight))
            if profile.langdetect:
                self._from_langdetect[profile.langdetect] = code
        self._priors = {code: profile.prior for code, profile in self._profiles.items()}
        # A telling "letter" of more than one character never counted: letters are counted one by one.
        telling = sorted(letter for letter in self._letter_langs if len(letter) == 1)
        self._telling = re.compile(f"[{''.join(map(re.escape, telling))}]" if telling else "(?!)")
        self._letter_rank = {letter: rank for rank, letter in enumerate(self._letter_langs)}
        self._word_langs = {word: tuple(sorted(langs)) for word, langs in words.items()}
        self._romanized_langs = {word: tuple(sorted(langs)) for word, langs in romanized.items()}
        known = set(self._profiles)
        self._place_langs = {
            name: locales & known
            for name, locales in resources.gazetteer.name_locales.items()
            if locales & known
        }
        if any(self._by_script.get("latin", [])):
            _prepare_langdetect()

    def __call__(self, doc: Doc) -> Doc:
        state = analysis_of(doc)
        text = state.text[:_READ_CHARS]
        lowered = text.lower()
        letters = self._letters(lowered)
        if not letters:
            state.language, state.language_confidence, state.languages = "und", 0.0, []
            return doc
        words, alnum = self._words(text)
        hits = self._word_hits(words, alnum, state.words)
        scores = self._scores(lowered, hits)
        weights = self._settings.script_weights
        primary_script = max(letters, key=lambda s: letters[s] * weights.get(s, 1.0))  # type: ignore[call-overload]
        candidates = self._by_script.get(primary_script, [])
        if primary_script == "latin" and candidates:
            self._add_langdetect(text, words, scores, candidates)
        for code in candidates:  # a prior favours a language in its own script only (not Arabizi)
            if self._profiles[code].script != primary_script:
                scores[code] -= self._profiles[code].prior
        primary, confidence = self._best(candidates, scores, primary_script)
        state.language, state.language_confidence = primary, confidence
        state.languages = self._seen(primary, letters, scores, hits, len(words))
        state.gate = Gate(frozenset(state.languages), open_latin=primary_script != "latin")
        return doc

    def _letters(self, lowered: str) -> Counter[str]:
        """Letters per script, the scripts in the order their first letter appears in the text."""
        # One str.translate turns every character into the tag of its script (or nothing), so the
        # letters of a script are the count of its tag: no Python step per character.
        tags = lowered.translate(self._script_table)
        found = sorted((tags.find(tag), script) for tag, script in _SCRIPT_OF_TAG.items() if tag in tags)
        return Counter({script: tags.count(_TAG_OF_SCRIPT[script]) for _, script in found})

    def _words(self, text: str) -> tuple[list[str], list[str]]:
        """Words of letters only, and words of letters and digits (for romanized Arabic)."""
        if self._light is None:
            raise ValueError("smokkelradar_language is not initialized")
        light = self._light.fold_text(text)
        return _LETTERS_RE.findall(light), _ALNUM_RE.findall(light)

    def _word_hits(self, words: list[str], alnum: list[str], folded: list[str]) -> dict[str, float]:
        # Most words are in no list: the look-ups run in C (map, filter) and only the words
        # found are visited in Python, in the same order as before (the order of the sums counts).
        hits: dict[str, float] = defaultdict(float)
        for codes in filter(None, map(self._word_langs.get, words)):
            for code in codes:
                hits[code] += 1
        for codes in filter(None, map(self._romanized_langs.get, alnum)):
            for code in codes:
                hits[code] += 1
        weight = self._settings.place_name_weight
        for place_codes in filter(None, map(self._place_langs.get, folded)):
            for code in place_codes:
                hits[code] += weight
        return hits

    def _scores(self, lowered: str, hits: dict[str, float]) -> dict[str, float]:
        settings = self._settings
        scores = self._priors.copy()
        # Most adverts have few of the telling letters, found by one regex: only those are visited, in
        # the order of the letter lists (the order of the sums counts).
        found = self._telling.findall(lowered)
        if not found:
            return self._add_hits(scores, hits)
        counts = Counter(found)
        for letter in sorted(counts, key=self._letter_rank.__getitem__):
            seen = min(counts[letter], 3)
            for code, weight in self._letter_langs[letter]:
                scores[code] += settings.letter_weight * weight * seen
        return self._add_hits(scores, hits)

    def _add_hits(self, scores: dict[str, float], hits: dict[str, float]) -> dict[str, float]:
        weight = self._settings.word_weight
        for code, count in hits.items():
            scores[code] += weight * count
        return scores

    def _add_langdetect(
        self, text: str, words: list[str], scores: dict[str, float], candidates: list[str]
    ) -> None:
        settings = self._settings
        if len(words) < settings.langdetect_min_words:
            return
        ranked = sorted((scores[c] for c in candidates), reverse=True)
        if len(ranked) > 1 and ranked[0] - ranked[1] >= settings.decisive_margin:
            return
        # langdetect is unreliable on a few words: its say grows with the length of the text.
        weight = settings.langdetect_weight * min(1.0, len(words) / settings.langdetect_full_words)
        for code, probability in _langdetect(text[: settings.langdetect_max_chars]):
            ours = self._from_langdetect.get(code)
            if ours in scores:
                scores[ours] += weight * probability

    def _best(self, candidates: list[str], scores: dict[str, float], script: str) -> tuple[str, float]:
        if not candidates:
            return self._settings.fallback.get(script, "und"), 0.0  # type: ignore[call-overload]
        best = max(candidates, key=lambda c: scores[c])
        top = scores[best]
        total = sum(math.exp(scores[c] - top) for c in candidates)
        return best, round(1.0 / total, 3)

    def _seen(
        self,
        primary: str,
        letters: Counter[str],
        scores: dict[str, float],
        hits: dict[str, float],
        n_words: int,
    ) -> list[str]:
        """The primary language, then others with enough words (or letters of another script)."""
        minimum = self._settings.seen_min_words
        seen = [primary]
        for script, count in letters.most_common():
            candidates = self._by_script.get(script, [])
            if not candidates or count < minimum * 4:
                continue
            best = max(candidates, key=lambda c: scores[c])
            if best not in seen and hits.get(best, 0) >= minimum:
                seen.append(best)
        for code, weight in sorted(hits.items(), key=lambda item: -item[1]):
            if code not in seen and weight >= minimum and weight >= 0.25 * n_words:
                seen.append(code)
        return seen


def _prepare_langdetect() -> None:
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = 0
    init_factory()


def _langdetect(text: str) -> list[tuple[str, float]]:
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from nlp.fast_langdetect import detect_langs  # langdetect's own results, computed faster

    DetectorFactory.seed = 0
    try:
        return [(found.lang, float(found.prob)) for found in detect_langs(text)]
    except LangDetectException:
        return []  # no usable features (only digits, emoji, or a script it does not know)


@Language.factory("smokkelradar_language", default_config={})
def make_language_identifier(nlp: Language, name: str) -> LanguageIdentifier:
    return LanguageIdentifier(name=name)
