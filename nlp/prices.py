"""``smokkelradar_prices``: amounts with a currency, their kind, and their value in euro.

price-parser reads one price in a short string; adverts hold several, in words, ranges and
Eastern digits, with currencies it does not know (د.ل, تومان, ናቕፋ). So amounts are read
here (``nlp.amounts``) and a currency must stand right before or after an amount for it to
count as a price. Ranges give both ends (the first borrows the currency and multiplier of
the second: ``3-4k €``). A kind cue (``prices.yaml``) goes to the amount nearest to it; an
amount right after a document word is ``per_document``. An amount with no currency but a
multiplier or a kind cue, shortly after a priced one, takes that one's currency
("140 ألف جنيه ... مقدم 40 ألف").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.amounts import Amount, AmountReader
from nlp.annotations import Analysis, PriceMention, analysis_of, spans_of, wants_spans
from nlp.resources import Resources
from nlp.terms import Hit, TermMatcher
from nlp.textfold import Token

_CARRY_WINDOW = 14  # tokens after a priced amount within which a bare amount shares its currency
_DOCUMENT_WINDOW = 4
_MIN_BARE = 100  # an amount sharing another's currency ("bambini 900") is at least this
_YEARS = (1990, 2035)


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    by_country: tuple[tuple[str, str], ...]
    multiplier: float


class PriceTagger:
    def __init__(self, *, name: str = "smokkelradar_prices") -> None:
        self.name = name
        self._currencies: TermMatcher[Currency] | None = None
        self._kinds: TermMatcher[str] | None = None
        self._reader: AmountReader | None = None
        self._range_tokens: frozenset[str] = frozenset()
        self._rates: dict[str, float] = {}
        self._window = 6
        self._min_eur = 0.0
        self._max_eur = float("inf")
        self._defaults: dict[str, str] = {}

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        folder, prices = resources.folder, resources.vocab.prices
        currencies: TermMatcher[Currency] = resources.keyword_matcher(suffixes=tuple(prices.word_suffixes))
        for entry in prices.currencies:
            currency = Currency(entry.code, tuple(sorted(entry.by_country.items())), entry.multiplier)
            for symbol in entry.symbols:
                currencies.add(symbol, currency)
            currencies.add_terms(entry.words, currency)
        kinds: TermMatcher[str] = resources.keyword_matcher()
        for group in prices.kinds:
            kinds.add_terms(group.terms, group.value)
        self._range_tokens = frozenset(
            token for words in prices.range_words.values() for word in words
            for token in folder.phrase(word)
        )  # fmt: skip
        self._reader = AmountReader(prices.number_words, folder)
        self._currencies, self._kinds = currencies, kinds
        self._rates = dict(prices.rates_to_eur)
        self._window, self._min_eur, self._max_eur = prices.kind_window, prices.min_eur, prices.max_eur
        self._defaults = {str(situation): kind for situation, kind in prices.default_kinds.items()}

    def __call__(self, doc: Doc) -> Doc:
        if self._currencies is None or self._reader is None or self._kinds is None:
            raise ValueError("smokkelradar_prices is not initialized")
        state = analysis_of(doc)
        state.prices = []
        currency_hits = self._currencies.match(state.tokens, state.gate, state.words, state.candidates)
        if currency_hits:
            amounts = self._reader.read(state.folded.text, state.tokens, state.words)
            if amounts:
                state.prices = self._prices(state, amounts, currency_hits)
        if wants_spans(doc):
            doc.spans["prices"] = spans_of(doc, state, ((p.start, p.end, p.currency) for p in state.prices))
        return doc

    def _prices(
        self, state: Analysis, amounts: list[Amount], hits: list[Hit[Currency]]
    ) -> list[PriceMention]:
        tokens = state.tokens
        after = {hit.first: hit for hit in hits}
        before = {hit.last: hit for hit in hits}
        text = state.folded.text
        currencies: list[Hit[Currency] | None] = []
        for amount in amounts:
            hit = after.get(amount.last)
            if hit is None and amount.last < len(tokens) and tokens[amount.last].text in (":", "-"):
                hit = after.get(amount.last + 1)
            if hit is None:
                hit = before.get(amount.first)
            # A currency on the line above or below belongs to another amount.
            if hit is not None and "\n" in text[min(hit.end, amount.end) : max(hit.start, amount.start)]:
                hit = None
            currencies.append(hit)
        self._link_ranges(tokens, amounts, currencies)
        spans = [
            (min(a.first, c.first), max(a.last, c.last)) if c is not None else (a.first, a.last)
            for a, c in zip(amounts, currencies, strict=True)
        ]
        kinds, cue_distance = self._kinds_of(state, amounts, spans)
        countries = self._countries(state)
        prices: list[PriceMention] = []
        last_priced: tuple[int, Currency] | None = None
        for index, (amount, hit) in enumerate(zip(amounts, currencies, strict=True)):
            currency = hit.payload if hit is not None else None
            if (
                currency is None
                and last_priced is not None
                and amount.first - last_priced[0] <= _CARRY_WINDOW
            ):
                # "1800 euro, bambini 900" shares the line's currency; on a later line only an
                # amount right next to a kind cue does ("Kapora 2000").
                same_line = "\n" not in text[tokens[last_priced[0] - 1].end : amount.start]
                if (same_line or cue_distance[index] <= 1) and _bare_price(text, amount):
                    currency = last_priced[1]
            if currency is None:
                continue
            last_priced = (amount.last, currency)
            price = self._price(state, amount, currency, kinds[index], countries)
            if price is not None:
                prices.append(price)
        return prices

    def _link_ranges(
        self, tokens: list[Token], amounts: list[Amount], currencies: list[Hit[Currency] | None]
    ) -> None:
        """``3000-3500 €``, ``9 آلاف إلى 11 ألف يورو``: both ends share currency and multiplier."""
        for i in range(len(amounts) - 1):
            left, right = amounts[i], amounts[i + 1]
            if not 0 < right.first - left.last <= 2:  # one or two words between them, no more
                continue
            between = [t.text for t in tokens[left.last : right.first]]
            if not all(t in self._range_tokens for t in between):
                continue
            if currencies[i] is None and currencies[i + 1] is not None:
                currencies[i] = currencies[i + 1]
                if not left.multiplied and right.multiplied and left.value < right.value / right.multiplier:
                    amounts[i] = left.scaled(right.multiplier)
            elif currencies[i + 1] is None and currencies[i] is not None:
                currencies[i + 1] = currencies[i]

    def _kinds_of(
        self, state: Analysis, amounts: list[Amount], spans: list[tuple[int, int]]
    ) -> tuple[list[str], list[int]]:
        """Each kind cue goes to the nearest price (amount and currency) within the window; a price
        takes its nearest cue, one after it before one before it; else the advert's default kind."""
        if self._kinds is None:
            raise ValueError("smokkelradar_prices is not initialized")
        best: list[tuple[int, int, str] | None] = [None] * len(amounts)
        for cue in self._kinds.match(state.tokens, state.gate, state.words, state.candidates):
            distances = []
            for index, (first, last) in enumerate(spans):
                if cue.first >= last:
                    distances.append((cue.first - last, 0, index))  # cue after: preferred on ties
                elif cue.last <= first:
                    distances.append((first - cue.last, 1, index))
            if not distances:
                continue
            distance, side, index = min(distances)
            found = best[index]
            if distance <= self._window and (found is None or (distance, side) < (found[0], found[1])):
                best[index] = (distance, side, cue.payload)
        default = self._default_kind(state)
        kinds = [found[2] if found else default for found in best]
        cue_distances = [found[0] if found else 1_000_000 for found in best]
        document_ends = state.document_ends
        for index, amount in enumerate(amounts):
            if best[index] is None and document_ends:
                position = bisect_left(document_ends, amount.first + 1) - 1
                if position >= 0 and amount.first - document_ends[position] <= _DOCUMENT_WINDOW:
                    kinds[index] = "per_document"
        return kinds, cue_distances

    def _default_kind(self, state: Analysis) -> str:
        crossing = bool(state.route.origin or state.route.destination or state.transport)
        if state.documents and not state.transport:
            return self._defaults.get("documents", "unknown")
        if crossing:
            return self._defaults.get("crossing", "unknown")
        return "unknown"

    @staticmethod
    def _countries(state: Analysis) -> list[str]:
        route = state.route
        ordered = [c for c in (route.origin, *route.transit, route.destination) if c]
        ordered += [m.country for m in state.places]
        return ordered

    def _price(
        self, state: Analysis, amount: Amount, currency: Currency, kind: str, countries: list[str]
    ) -> PriceMention | None:
        code = currency.code
        if currency.by_country:  # a sign several countries use ($, £): the advert's countries decide
            shared = dict(currency.by_country)
            for country in countries:
                if country in shared:
                    code = shared[country]
                    break
        value = amount.value * currency.multiplier
        rate = self._rates.get(code)
        eur = round(value * rate, 2) if rate is not None else None
        if eur is not None and not self._min_eur <= eur <= self._max_eur:
            return None
        start, end = state.folded.original_span(amount.start, amount.end)
        return PriceMention(_plain(value), code, eur, kind, start, end, amount.first, amount.last)


def _bare_price(text: str, amount: Amount) -> bool:
    """Whether an amount with no currency of its own can be a price: 100 or more, not a year, not a
    percentage, not one group of a phone number (a number right before or after it)."""
    if amount.value < _MIN_BARE or (_YEARS[0] <= amount.value <= _YEARS[1] and not amount.multiplied):
        return False
    after = text[amount.end : amount.end + 2]
    before = text[max(0, amount.start - 2) : amount.start]
    return "%" not in after[:1] and not any(c.isdigit() for c in after + before)


def _plain(value: float) -> float:
    """3500.0 -> 3500 (an int reads better in JSON); keeps real fractions."""
    return int(value) if float(value).is_integer() else round(value, 2)


@Language.factory("smokkelradar_prices", default_config={})
def make_price_tagger(nlp: Language, name: str) -> PriceTagger:
    return PriceTagger(name=name)
