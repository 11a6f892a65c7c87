"""langdetect's ``detect_langs``, with its inner loop on numpy arrays: the same numbers, faster.

langdetect multiplies a probability per language (about 55 of them) by each sampled n-gram's
weights, up to 7 trials of up to 1,000 samples, one Python float at a time: 8 ms for an
advert, the costliest step of the enrichment. Here the text's n-grams are rows of one matrix
(their weights plus the trial's smoothing are added once per trial, not once per sample), and the
five samples between two normalizations are multiplied in with one reduction. The results are bit
for bit those of ``langdetect.detect_langs``:

- the random generator is seeded and drawn from exactly as langdetect does (same ``gauss``
  calls, and ``_randbelow`` on the number of n-grams, which is all ``choice`` does), so the
  same n-grams are sampled;
- element-wise ``+``, ``*`` and ``/`` on float64 arrays round exactly as Python floats do, and a
  product reduction along the first axis multiplies the rows one after the other, in order;
- the one sum is taken with Python's ``sum`` over the values in order (numpy's pairwise
  summation would round differently).

``tests/unit/crawlers/test_crawl_enrichment_speedups.py`` compares both on the whole corpus.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException

# langdetect normalizes (and may stop) after every fifth sample.
_SAMPLES_PER_CHECK = 5
_largest = np.maximum.reduce  # ndarray.max without its Python-level wrapper


class ArrayDetector(Detector):  # type: ignore[misc]
    """A langdetect ``Detector`` whose ``_detect_block`` works on numpy vectors."""

    # n-gram -> its per-language weights as an array; shared by every detector of the process.
    # Bounded (an array is about 0.5 kB): emptied when full, refilled by the n-grams in use.
    _weights: dict[str, Any] = {}  # noqa: RUF012 (a deliberate process-wide cache)
    _WEIGHTS_LIMIT = 50_000

    def _vector(self, ngram: str) -> Any:
        vector = self._weights.get(ngram)
        if vector is None:
            if len(self._weights) >= self._WEIGHTS_LIMIT:
                self._weights.clear()
            vector = self._weights[ngram] = np.asarray(self.word_lang_prob_map[ngram], dtype=np.float64)
        return vector

    def _detect_block(self) -> None:
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        # The text's distinct n-grams as rows of one matrix; each sample is a row number.
        rows: dict[str, int] = {}
        samples = [rows.setdefault(ngram, len(rows)) for ngram in ngrams]
        weights = np.array([self._vector(ngram) for ngram in rows])
        count = len(samples)
        size = len(self.langlist)
        total = np.zeros(size, dtype=np.float64)
        shifted = np.empty_like(weights)
        # Row 0: the probabilities so far; rows 1-5: the five samples between two normalizations.
        block = np.empty((_SAMPLES_PER_CHECK + 1, size), dtype=np.float64)
        prob = np.empty(size, dtype=np.float64)
        randbelow = self.random._randbelow  # what random.choice draws with: the same numbers
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob[:] = self._init_probability()
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            # langdetect: prob[i] *= weight + lang_prob_map[i], for every language i
            np.add(weights, alpha / self.BASE_FREQ, out=shifted)
            np.multiply(prob, shifted[samples[randbelow(count)]], out=prob)  # sample 0
            i = 0
            while True:
                # langdetect: p / sum(prob) for each, and the largest of them (every fifth sample)
                np.divide(prob, sum(prob.tolist()), out=prob)
                if float(_largest(prob)) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                    break
                # The next five samples at once: a reduction along the first axis multiplies the
                # rows in order, ((prob * s1) * s2) * ..., exactly as five separate updates would.
                block[0] = prob
                picks = [samples[randbelow(count)] for _ in range(_SAMPLES_PER_CHECK)]
                shifted.take(picks, axis=0, out=block[1:])
                np.multiply.reduce(block, axis=0, out=prob)
                i += _SAMPLES_PER_CHECK
            np.add(total, prob / self.n_trial, out=total)
        self.langprob = total.tolist()


def detect_langs(text: str) -> list[Any]:
    """What ``langdetect.detect_langs(text)`` returns (``DetectorFactory.seed`` must be set)."""
    from langdetect import detector_factory

    detector_factory.init_factory()
    detector = ArrayDetector(detector_factory._factory)
    detector.append(text)
    return detector.get_probabilities()  # type: ignore[no-any-return]
