"""langdetect's ``detect_langs``, with its inner loop on numpy arrays: the same numbers, faster.

langdetect multiplies a probability per language (about 55 of them) by each sampled n-gram's
weights, up to 7 trials of up to 1,000 samples, one Python float at a time: 8 ms for an
advert, the costliest step of the enrichment. Here each update is one numpy operation on
the whole vector. The results are bit for bit those of ``langdetect.detect_langs``:

- the random generator is seeded and drawn from exactly as langdetect does (same ``gauss``
  and ``choice`` calls in the same order), so the same n-grams are sampled;
- element-wise ``+``, ``*`` and ``/`` on float64 arrays round exactly as Python floats do;
- the one sum is taken with Python's ``sum`` over the values in order (numpy's pairwise
  summation would round differently).

``tests/unit/crawlers/test_crawl_enrichment_speedups.py`` compares both on the whole corpus.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException


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
        size = len(self.langlist)
        total = np.zeros(size, dtype=np.float64)
        scratch = np.empty(size, dtype=np.float64)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                # langdetect: prob[i] *= weight + lang_prob_map[i], for every language i
                np.add(self._vector(self.random.choice(ngrams)), weight, out=scratch)
                np.multiply(prob, scratch, out=prob)
                if i % 5 == 0:
                    # langdetect: p / sum(prob) for each, and the largest of them
                    np.divide(prob, sum(prob.tolist()), out=prob)
                    if float(prob.max()) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            np.add(total, prob / self.n_trial, out=total)
        self.langprob = total.tolist()


def detect_langs(text: str) -> list[Any]:
    """What ``langdetect.detect_langs(text)`` returns (``DetectorFactory.seed`` must be set)."""
    from langdetect import detector_factory

    detector_factory.init_factory()
    detector = ArrayDetector(detector_factory._factory)
    detector.append(text)
    return detector.get_probabilities()  # type: ignore[no-any-return]
