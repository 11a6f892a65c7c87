"""All keyword files merged into one vocabulary the components compile from.

Files may split the vocabulary any way analysts like; here lists are concatenated in
file-name order and mappings merged. Two files giving different values for the same
key (an exchange rate, a language profile) is a configuration error, reported with
both file names, never resolved silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from radar.config.keywords import (
    Contacts,
    CuratedPlace,
    Gazetteer,
    KeywordFile,
    LanguageDetection,
    LanguageProfile,
    Normalization,
    PlaceCues,
    Prices,
    RelevanceRule,
    RouteArrows,
    TermGroup,
)
from radar.errors import Code, RadarError

# Where the shipped vocabulary lives, relative to the repository root.
DEFAULT_KEYWORDS_DIR = Path(__file__).resolve().parent.parent / "config" / "keywords"


@dataclass
class Vocabulary:
    """The merged content of every keyword file (see ``radar.config.keywords``)."""

    normalization: Normalization = field(default_factory=Normalization)
    languages: dict[str, LanguageProfile] = field(default_factory=dict)
    language_detection: LanguageDetection = field(default_factory=LanguageDetection)
    place_cues: dict[str, list[PlaceCues]] = field(default_factory=dict)
    route_arrows: list[RouteArrows] = field(default_factory=list)
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    country_aliases: dict[str, list[str]] = field(default_factory=dict)
    places: list[CuratedPlace] = field(default_factory=list)
    prices: Prices = field(default_factory=Prices)
    documents: list[TermGroup] = field(default_factory=list)
    document_qualifiers: list[TermGroup] = field(default_factory=list)
    services: list[TermGroup] = field(default_factory=list)
    transport: list[TermGroup] = field(default_factory=list)
    contacts: Contacts = field(default_factory=Contacts)
    relevance_bias: float = 0.0
    relevance_rules: list[RelevanceRule] = field(default_factory=list)


def _single(seen: dict[str, str], section: str, name: str) -> None:
    if section in seen:
        raise RadarError(
            Code.CONFIG_INVALID,
            f"keyword files {seen[section]!r} and {name!r} both define '{section}'; keep it in one file",
        )
    seen[section] = name


def merge(files: Iterable[KeywordFile]) -> Vocabulary:
    """Merge keyword files (in the order given) into one vocabulary."""
    vocab = Vocabulary()
    singles: dict[str, str] = {}
    prices: list[Prices] = []
    for kw in files:
        if kw.normalization is not None:
            _single(singles, "normalization", kw.name)
            vocab.normalization = kw.normalization
        if kw.language_detection is not None:
            _single(singles, "language_detection", kw.name)
            vocab.language_detection = kw.language_detection
        if kw.gazetteer is not None:
            _single(singles, "gazetteer", kw.name)
            vocab.gazetteer = kw.gazetteer
        if kw.contacts is not None:
            _single(singles, "contacts", kw.name)
            vocab.contacts = kw.contacts
        if kw.relevance is not None:
            vocab.relevance_bias += kw.relevance.bias
            vocab.relevance_rules.extend(kw.relevance.rules)
        for code, profile in kw.languages.items():
            _single(singles, f"languages.{code}", kw.name)
            vocab.languages[code] = profile
        for code, cues in kw.place_cues.items():
            vocab.place_cues.setdefault(code, []).append(cues)
        if kw.route_arrows is not None:
            vocab.route_arrows.append(kw.route_arrows)
        for country, names in kw.country_aliases.items():
            vocab.country_aliases.setdefault(country, []).extend(names)
        vocab.places.extend(kw.places)
        if kw.prices is not None:
            prices.append(kw.prices)
        vocab.documents.extend(kw.documents)
        vocab.document_qualifiers.extend(kw.document_qualifiers)
        vocab.services.extend(kw.services)
        vocab.transport.extend(kw.transport)
    vocab.prices = _merge_prices(prices)
    return vocab


def _merge_prices(parts: list[Prices]) -> Prices:
    if not parts:
        return Prices()
    if len(parts) == 1:
        return parts[0]
    rates: dict[str, float] = {}
    for part in parts:
        for code, rate in part.rates_to_eur.items():
            if code in rates and rates[code] != rate:
                raise RadarError(Code.CONFIG_INVALID, f"two keyword files give different rates for {code}")
            rates[code] = rate
    words: dict[str, list[str]] = {}
    number_words = {}
    for part in parts:
        for lang, terms in part.range_words.items():
            words.setdefault(lang, []).extend(terms)
        number_words.update(part.number_words)
    first = parts[0]
    return first.model_copy(
        update={
            "currencies": [c for part in parts for c in part.currencies],
            "kinds": [k for part in parts for k in part.kinds],
            "rates_to_eur": rates,
            "range_words": words,
            "number_words": number_words,
        }
    )


def load_keyword_files(folder: Path = DEFAULT_KEYWORDS_DIR) -> list[KeywordFile]:
    """Validate every ``*.yaml`` in ``folder`` through the configuration loader.

    Raises ``ConfigError`` listing every problem as ``file:line: key.path: message``.
    """
    from radar.config.documents import read_document
    from radar.config.loader import validate, yaml_files
    from radar.config.problems import ConfigError, ConfigProblem

    if not folder.is_dir():
        problem = ConfigProblem(folder, None, "", "keyword folder not found", Code.CONFIG_MISSING_FILE)
        raise ConfigError([problem])
    docs = [read_document(path) for path in yaml_files(folder)]
    models = [validate(doc, "keywords") for doc in docs]
    problems = [problem for doc in docs for problem in doc.problems]
    if problems:
        raise ConfigError(problems)
    return [model for model in models if isinstance(model, KeywordFile)]


def keyword_files_of(config: object) -> list[KeywordFile]:
    """The keyword files of a loaded ``Config`` (``.keywords`` by file stem), a mapping, a list,
    or ``None`` for the shipped vocabulary."""
    if config is None:
        return load_keyword_files()
    if isinstance(config, Path):
        return load_keyword_files(config)
    keywords = getattr(config, "keywords", config)
    if isinstance(keywords, Mapping):
        return [keywords[stem] for stem in sorted(keywords)]
    if isinstance(keywords, Iterable):
        return [kw for kw in keywords if isinstance(kw, KeywordFile)]
    raise TypeError(f"cannot read keyword files from {type(config).__name__}")
