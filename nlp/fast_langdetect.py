"""langdetect's ``detect_langs``, with its inner loop on numpy arrays: the same numbers, faster.

langdetect multiplies a probability per language (about 55 of them) by each sampled n-gram's
weights, up to 7 trials of up to 1,000 samples, one Python float at a time: 8 ms for an
advert, the costliest step of the enrichment. Here the text's n-grams are rows of one matrix,
the samples of the next sixteen checks are gathered from it at once (with the trial's smoothing
added), and the five samples between two normalizations are multiplied in with one reduction.
The results are bit for bit those of ``langdetect.detect_langs``:

- the same n-grams are sampled: langdetect seeds its generator with the same seed for every text
  and ``random.choice`` is ``_randbelow`` on the number of n-grams, which draws
  ``getrandbits(k)`` (the generator's next 32-bit word shifted right) until the value is below
  that number. Every detection so reads the same stream of words, drawn once per process
  (``_WordStream``), and its picks are that stream filtered with one array comparison
  (``_Picks``). The generator itself still draws each trial's ``gauss`` and is moved past the
  words the picks used, so it stands where langdetect's would;
- element-wise ``+``, ``*`` and ``/`` on float64 arrays round exactly as Python floats do, and a
  product reduction along the first axis multiplies the rows one after the other, in order;
- the one sum is a running sum, the values added one after the other in order as Python's ``sum``
  does (numpy's ``sum`` adds pairwise, which rounds differently).
- the convergence test (is the largest probability above the threshold?) mostly reads one value,
  the leader's, and gives the answer the maximum would (``ArrayDetector._converged``).

The n-grams are langdetect's, in its order, but taken word by word: the text normalized with one
``str.translate`` (langdetect's ``NGram.normalize`` per character, cached) and split at spaces, each
word's n-grams worked out once per process (``_WordGrams``) instead of a few Python calls per
character of every text.

``tests/unit/crawlers/test_crawl_enrichment_speedups.py`` compares both on the whole corpus;
``tests/unit/nlp/test_nlp_word_speedups.py`` compares the n-grams with langdetect's own.
"""

from __future__ import annotations

import random
from itertools import chain, count, filterfalse
from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

# langdetect normalizes (and may stop) after every fifth sample.
_SAMPLES_PER_CHECK = 5
# Samples are gathered for this many checks at a time (a trial takes about 30).
_CHECKPOINTS = 16
# Words of the random stream read at a time (a detection uses about 1,500).
_STREAM_CHUNK = 4096
_leader = np.argmax
# Above this a value proves that no other is above langdetect's threshold (see _converged).
_LEADER_FLOOR = 2e-5
# Running sums add the values one after the other, in order, as Python's sum does (numpy's own
# sum adds pairwise, which rounds differently).
_running_sum = np.add.accumulate


class _WordStream:
    """The 32-bit words ``random.Random(seed)`` produces, in order, drawn once per process.

    Every detection seeds its generator with the same seed, so every detection reads the same
    words: ``getrandbits(k)`` for ``k <= 32`` is the next word shifted right by ``32 - k``, and
    ``getrandbits(32 * m)`` is the next ``m`` words, the first one least significant.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 (langdetect's own generator, not a secret)
        self.words: Any = np.empty(0, dtype=np.uint32)

    def upto(self, length: int) -> Any:
        """At least the first ``length`` words."""
        if len(self.words) < length:
            more = max(length - len(self.words), _STREAM_CHUNK)
            raw = self._rng.getrandbits(32 * more).to_bytes(4 * more, "little")
            self.words = np.concatenate((self.words, np.frombuffer(raw, dtype="<u4")))
        return self.words


class _Picks:
    """Which n-gram each ``random.choice`` of a detection picks, with the word each one used.

    ``choice`` draws ``getrandbits(k)`` until the value is below the number of n-grams (``k`` its
    bit length); over the seeded word stream that is a mask, so all picks come from a few array
    operations instead of a Python call per sample."""

    def __init__(self, stream: _WordStream, rows: Any) -> None:
        self._stream = stream
        self._rows = rows  # n-gram number -> its row in the weight matrix
        self._shift = np.uint32(32 - len(rows).bit_length())
        self.positions: Any = np.empty(0, dtype=np.intp)  # stream position of each accepted word
        self.rows: Any = np.empty(0, dtype=np.intp)  # the row each accepted word picks
        self._scanned = 0

    def first_at(self, position: int) -> int:
        """The number of the first pick that uses a word at ``position`` or later."""
        while not len(self.positions) or self.positions[-1] < position:
            self._scan()
        return int(np.searchsorted(self.positions, position))

    def ensure(self, count: int) -> None:
        """At least ``count`` accepted picks are known."""
        while len(self.positions) < count:
            self._scan()

    def _scan(self) -> None:
        start = self._scanned
        self._scanned = end = max(2 * start, start + _STREAM_CHUNK)
        values = self._stream.upto(end)[start:end] >> self._shift
        found = np.flatnonzero(values < len(self._rows))
        self.positions = np.concatenate((self.positions, found + start))
        self.rows = np.concatenate((self.rows, self._rows[values[found]]))


class _NormalTable(dict[int, str]):
    """``str.translate`` table: a character to what langdetect's ``NGram.normalize`` makes of it (always
    one character); filled as characters are met."""

    def __missing__(self, code: int) -> str:
        value: str = NGram.normalize(chr(code))
        self[code] = value
        return value


class _WordGrams(dict[str, tuple[str, ...]]):
    """A word of normalized text -> the n-grams langdetect extracts from it, in its order.

    langdetect reads the text one character at a time, keeping the last three characters of the
    current word (a space starts a word afresh). After each character it takes the last one, two and
    three of those (never the space alone, never across the space before the word), except while
    the character and the one before it are both capitals, and keeps those it has weights for. So a
    word's n-grams depend on the word alone (and on whether a space follows it): they are worked
    out once per word and process. A key ending in a space is a word followed by one.
    """

    _LIMIT = 100_000  # words kept; emptied when full, refilled by the words in use

    def __init__(self, known: Any) -> None:
        super().__init__()
        self._known = known  # the n-grams langdetect has weights for

    def __missing__(self, key: str) -> tuple[str, ...]:
        if len(self) >= self._LIMIT:
            self.clear()
        padded = " " + key
        known = self._known
        found: list[str] = []
        for end in range(2, len(padded) + 1):
            char, before = padded[end - 1], padded[end - 2]
            if char.isupper() and before.isupper():
                continue  # inside a word in capitals
            if char != " " and char in known:
                found.append(char)
            if padded[end - 2 : end] in known:
                found.append(padded[end - 2 : end])
            if end >= 3 and before != " " and padded[end - 3 : end] in known:
                found.append(padded[end - 3 : end])
        value = self[key] = tuple(found)
        return value


class ArrayDetector(Detector):  # type: ignore[misc]
    """A langdetect ``Detector`` whose ``_detect_block`` works on numpy vectors."""

    # n-gram -> its per-language weights as an array; shared by every detector of the process.
    # Bounded (an array is about 0.5 kB): emptied when full, refilled by the n-grams in use.
    _weights: dict[str, Any] = {}  # noqa: RUF012 (a deliberate process-wide cache)
    _WEIGHTS_LIMIT = 50_000
    _streams: dict[int, _WordStream] = {}  # noqa: RUF012 (seed -> its words, drawn once per process)

    _normal_table = _NormalTable()
    _word_grams: dict[int, _WordGrams] = {}  # noqa: RUF012 (id of a factory's n-gram map -> its words)

    def _rows(self, ngrams: Any) -> Any:
        """The weight matrix of the distinct ``ngrams``, one row each in order of first use."""
        cache = self._weights
        missing = list(filterfalse(cache.__contains__, ngrams))
        if missing and len(cache) + len(missing) > self._WEIGHTS_LIMIT:
            cache.clear()
            missing = list(ngrams)
        for ngram in missing:
            cache[ngram] = np.asarray(self.word_lang_prob_map[ngram], dtype=np.float64)
        return np.array(list(map(cache.__getitem__, ngrams)))

    def _extract_ngrams(self) -> list[str]:
        """langdetect's n-grams of ``self.text``, in its order: the text normalized as langdetect
        does (one ``str.translate``), split at spaces, each word's n-grams looked up (``_WordGrams``)."""
        known = self.word_lang_prob_map
        words = self._word_grams.get(id(known))
        if words is None or words._known is not known:
            words = self._word_grams[id(known)] = _WordGrams(known)
        pieces = self.text.translate(self._normal_table).split(" ")
        last = pieces.pop()  # the only word no space follows
        grams = list(chain.from_iterable(map(words.__getitem__, [p + " " for p in pieces if p])))
        if last:
            grams.extend(words[last])
        return grams

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        if not isinstance(self.seed, int):  # unseeded, langdetect's picks differ on every call
            raise ValueError("set langdetect's DetectorFactory.seed before detecting")
        # The text's distinct n-grams as rows of one matrix; each sample is a row number.
        rows = dict(zip(dict.fromkeys(ngrams), count()))
        samples = np.fromiter(map(rows.__getitem__, ngrams), dtype=np.intp, count=len(ngrams))
        weights = self._rows(rows)
        stream = self._streams.get(self.seed) or self._streams.setdefault(self.seed, _WordStream(self.seed))
        picks = _Picks(stream, samples)
        size = len(self.langlist)
        total = np.zeros(size, dtype=np.float64)
        prob = np.empty(size, dtype=np.float64)
        initial = np.array(self._init_probability(), dtype=np.float64)
        # The generator itself draws only the trials' gauss values; the picks between them are read
        # from the stream, and the generator is moved past the words they used.
        generator = self.random
        generator.seed(self.seed)
        self._leader = 0  # the language that led at the last full convergence test
        position = 0  # words of the stream used so far
        for _ in range(self.n_trial):
            if generator.gauss_next is None:
                position += 4  # gauss draws two random() values of two words each
            alpha = self.alpha + generator.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            prob[:] = initial
            first = picks.first_at(position)
            used = self._trial(prob, weights, alpha / self.BASE_FREQ, picks, first)
            after = int(picks.positions[first + used - 1]) + 1
            generator.getrandbits(32 * (after - position))  # the words the picks used
            position = after
            np.add(total, prob / self.n_trial, out=total)
        self.langprob = total.tolist()

    def _converged(self, prob: Any) -> bool:
        """langdetect's test, ``max(prob) > CONV_THRESHOLD``, mostly without the maximum.

        The probabilities sum to 1 (to within 1e-14), so a value above the threshold (1 - 1e-5) can
        only be the largest, and none can be above it while another is at least 2e-5. The language
        that led at the last full test mostly still leads: its value alone answers, exactly as the
        maximum would; only when it is below 2e-5 (or not a number) is the maximum taken."""
        value: float = prob.item(self._leader)
        if value > self.CONV_THRESHOLD:
            return True
        if value >= _LEADER_FLOOR:
            return False
        self._leader = int(_leader(prob))
        return bool(float(prob[self._leader]) > self.CONV_THRESHOLD)

    def _trial(self, prob: Any, weights: Any, weight: float, picks: _Picks, first: int) -> int:
        """One trial from pick ``first`` on, until it converges: its probabilities left in ``prob``,
        the number of picks it used returned.

        langdetect multiplies ``prob[i]`` by ``weight + lang_prob_map[i]`` for every language ``i``
        and sample: ``weight`` is added to the sampled rows only, as they are gathered."""
        size = len(prob)
        picks.ensure(first + 1)
        np.multiply(prob, weights[picks.rows[first]] + weight, out=prob)  # sample 0
        used = 1
        current = prob  # where the probabilities are now
        sums = np.empty(size, dtype=np.float64)
        stages: list[Any] = []
        results: list[Any] = []
        stage = _CHECKPOINTS
        while True:
            # langdetect: p / sum(prob) for each, and the largest of them (every fifth sample)
            np.divide(current, _running_sum(current, out=sums)[-1], out=current)
            if self._converged(current) or used > self.ITERATION_LIMIT:
                break
            if stage == _CHECKPOINTS:  # the samples of the next checks, gathered at once
                start = first + used
                picks.ensure(start + _SAMPLES_PER_CHECK * _CHECKPOINTS)
                chosen = picks.rows[start : start + _SAMPLES_PER_CHECK * _CHECKPOINTS]
                # blocks[c]: row 0 the probabilities before check c's five samples, rows 1-5 those
                # samples; the product of block c is written into row 0 of block c + 1.
                blocks = np.empty((_CHECKPOINTS + 1, _SAMPLES_PER_CHECK + 1, size), dtype=np.float64)
                np.add(weights[chosen.reshape(_CHECKPOINTS, _SAMPLES_PER_CHECK)], weight, out=blocks[:-1, 1:])
                blocks[0, 0] = current
                stages, results = list(blocks), list(blocks[1:, 0])
                stage = 0
            # A reduction along the first axis multiplies the rows in order, ((prob * s1) * s2) * ...,
            # exactly as five separate updates would.
            current = results[stage]
            np.multiply.reduce(stages[stage], axis=0, out=current)
            stage += 1
            used += _SAMPLES_PER_CHECK
        if current is not prob:
            prob[:] = current
        return used


def detect_langs(text: str) -> list[Any]:
    """What ``langdetect.detect_langs(text)`` returns (``DetectorFactory.seed`` must be set)."""
    from langdetect import detector_factory

    detector_factory.init_factory()
    detector = ArrayDetector(detector_factory._factory)
    detector.append(text)
    return detector.get_probabilities()  # type: ignore[no-any-return]
