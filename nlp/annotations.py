"""What the components attach to a ``Doc``: small typed objects on ``Doc._`` extensions.

Offsets (``start``/``end``) are character offsets in ``doc.text``, the advert as written,
so a highlighter can cut the original text. Extractors match on ``doc._.folded`` and map
back through its offset table. Spans of the same findings are also put in
``doc.spans["places" | "prices" | "phones"]`` for spaCy tooling (displaCy, Span groups), except on
Docs made only for their record (``for_record``, what ``enrich_texts`` does).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Span

from nlp.terms import Candidates, Gate
from nlp.textfold import Folded, Token


@dataclass(slots=True)
class PlaceMention:
    text: str
    start: int
    end: int
    country: str
    role: str  # origin | transit | destination | none
    lat: float | None
    lon: float | None
    kind: str
    first: int = 0  # folded-token index range, for the role logic
    last: int = 0
    explicit: bool = False  # the role came from a cue, not from order
    group: int = -1  # places joined by "and"/"or" share a group: alternatives, not stages


@dataclass(frozen=True, slots=True)
class Route:
    origin: str | None
    transit: tuple[str, ...]
    destination: str | None


@dataclass(slots=True)
class PriceMention:
    amount: float
    currency: str
    eur: float | None
    kind: str  # per_person | deposit | total | per_document | unknown
    start: int
    end: int
    first: int = 0
    last: int = 0


@dataclass(frozen=True, slots=True)
class PhoneMention:
    e164: str
    region: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class HandleMention:
    platform: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FiredRule:
    rule: str
    weight: float


@dataclass(slots=True)
class Analysis:
    """Per-advert working state shared by the components (on ``doc._.radar``)."""

    text: str  # doc.text, read once: spaCy rebuilds it from the tokens on every access
    folded: Folded
    tokens: list[Token]
    words: list[str]  # each token's text (what the matchers look up)
    candidates: Candidates | None = None  # the words that can start a keyword, for every matcher
    truncated: bool = False
    language: str = "und"
    language_confidence: float = 0.0
    languages: list[str] = field(default_factory=list)
    gate: Gate = field(default_factory=lambda: Gate(frozenset(), open_latin=True))
    places: list[PlaceMention] = field(default_factory=list)
    route: Route = Route(None, (), None)
    prices: list[PriceMention] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    document_ends: list[int] = field(default_factory=list)  # token index after each document word
    document_qualifiers: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    transport: list[str] = field(default_factory=list)
    phones: list[PhoneMention] = field(default_factory=list)
    handles: list[HandleMention] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    score: float = 0.0
    rules: list[FiredRule] = field(default_factory=list)
    token_starts: list[int] | None = None  # character offset of each spaCy token, for spans


def register_extensions() -> None:
    """Declare the ``Doc._`` attributes once per process (idempotent)."""
    if not Doc.has_extension("radar"):
        Doc.set_extension("radar", default=None)
    if not Doc.has_extension("truncated"):
        Doc.set_extension("truncated", default=False)


# Where spaCy keeps ``doc._.radar`` and ``doc._.truncated`` (``Underscore._get_key``). Every
# component reads the state once per advert; through ``doc._`` that is an ``Underscore`` object and a
# Python ``__getattr__`` or ``__setattr__`` each time (2 µs, 3 % of the enrichment), through the dict
# a lookup. Only this module knows the layout, and it checks it once against spaCy itself
# (``_keys_are_spacys``): should a spaCy release keep extensions elsewhere, ``doc._`` is used.
_RADAR_KEY = ("._.", "radar", None, None)
_TRUNCATED_KEY = ("._.", "truncated", None, None)


@cache
def _keys_are_spacys() -> bool:
    from spacy.vocab import Vocab

    register_extensions()
    probe = Doc(Vocab())
    probe._.truncated = True
    return probe.user_data.get(_TRUNCATED_KEY) is True  # type: ignore[call-overload]  # spaCy: tuple keys


def set_analysis(doc: Doc, state: Analysis) -> None:
    """``doc._.radar = state`` (what ``analysis_of`` reads)."""
    if _keys_are_spacys():
        doc.user_data[_RADAR_KEY] = state  # type: ignore[index]  # spaCy: tuple keys
    else:
        doc._.radar = state


def truncated_flag(doc: Doc) -> bool:
    """``doc._.truncated``: set by a caller that cut the text before it reached the pipeline."""
    if _keys_are_spacys():
        return bool(doc.user_data.get(_TRUNCATED_KEY, False))  # type: ignore[call-overload]  # spaCy: tuple keys
    return bool(doc._.truncated)


# The advert's text as given to the tokenizer, when the caller kept it (``keep_text``): ``doc.text``
# is spaCy joining every token and its whitespace again in Python (2-3 % of the enrichment), and
# it is always that same string (spaCy's tokenization is non-destructive).
_TEXT_KEY = "smokkelradar.text"


def keep_text(doc: Doc, text: str) -> Doc:
    """Remember the text ``doc`` was made from (``nlp.make_doc(text)``), so ``text_of`` need not
    rebuild it."""
    doc.user_data[_TEXT_KEY] = text
    return doc


# Set on a Doc that is made only to be turned into a record (``for_record``): nobody will read its
# span groups, and making them (token offsets, ``Span`` objects, three ``SpanGroup``s) was ≈ 2.5 %
# of the enrichment.
_RECORD_ONLY_KEY = "smokkelradar.record_only"


def for_record(doc: Doc, text: str) -> Doc:
    """``keep_text``, and mark ``doc`` as made only for its record (``enrich_texts``): the
    components leave ``doc.spans`` empty; every record field is the same."""
    doc.user_data[_RECORD_ONLY_KEY] = True
    return keep_text(doc, text)


def wants_spans(doc: Doc) -> bool:
    """Whether the components should put span groups on ``doc`` (every Doc but ``for_record``'s)."""
    return _RECORD_ONLY_KEY not in doc.user_data


def text_of(doc: Doc) -> str:
    """``doc.text``, from what ``keep_text`` kept when it can."""
    text = doc.user_data.get(_TEXT_KEY)
    return text if isinstance(text, str) else doc.text


def analysis_of(doc: Doc) -> Analysis:
    """The advert's working state; the normalize component must have run."""
    state = doc.user_data.get(_RADAR_KEY)  # type: ignore[call-overload]  # typed str-keyed; spaCy uses tuples
    if not isinstance(state, Analysis):
        state = doc._.radar  # should a spaCy version keep extensions elsewhere: the public way
        if not isinstance(state, Analysis):
            raise ValueError("smokkelradar_normalize must run before the other smokkelradar components")
    return state


def spans_of(doc: Doc, state: Analysis, found: Iterable[tuple[int, int, str]]) -> list[Span]:
    """spaCy spans (covering whole tokens) for character ranges of the original text, with labels.

    Cheaper than ``doc.char_span(..., alignment_mode="expand")``, which walks every token per call.
    """
    spans: list[Span] = []
    for start, end, label in found:
        if state.token_starts is None:
            state.token_starts = doc.to_array("IDX").tolist() if len(doc) else []
        starts = state.token_starts
        first = max(bisect_right(starts, start) - 1, 0)
        last = max(bisect_left(starts, end), first + 1)
        if first < len(doc):
            spans.append(Span(doc, first, min(last, len(doc)), label=label))
    return spans
