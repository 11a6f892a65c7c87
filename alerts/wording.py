"""The words of alert mails in Dutch and English; the templates hold the layout, this module the text.

One table per language with the same keys (a unit test checks that), so a template never
holds language-specific text and a third language is one more table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_NL = {
    "locale": "nl_NL",
    "one_new": "1 nieuwe advertentie",
    "many_new": "{count} nieuwe advertenties",
    "intro": "Nieuwe advertenties voor de opgeslagen zoekopdracht",
    "language": "Taal",
    "route": "Route",
    "price": "Prijs",
    "documents": "Documenten",
    "transport": "Vervoer",
    "contacts": "Contact",
    "source": "Bron",
    "posted": "Geplaatst",
    "reposts": "Herplaatsingen",
    "score": "Relevantie",
    "open_source": "Bron openen",
    "evidence": "Bewijs",
    "no_evidence": "geen bewijs vastgelegd",
    "unknown": "onbekend",
    "advert_missing": "Deze advertentie staat niet meer in de index (bewaartermijn verstreken?).",
    "footer": (
        "Verstuurd door smokkelradar. De tekst van de advertentie is overgenomen zoals gevonden; "
        "links openen de oorspronkelijke bron."
    ),
    "possible_duplicate": (
        "Mogelijk dubbel: een eerdere poging om deze mail te versturen werd onderbroken en is "
        "misschien al aangekomen."
    ),
    "maintenance": "onderhoud",
}

_EN = {
    "locale": "en_GB",
    "one_new": "1 new advert",
    "many_new": "{count} new adverts",
    "intro": "New adverts for the saved search",
    "language": "Language",
    "route": "Route",
    "price": "Price",
    "documents": "Documents",
    "transport": "Transport",
    "contacts": "Contacts",
    "source": "Source",
    "posted": "Posted",
    "reposts": "Reposts",
    "score": "Relevance",
    "open_source": "Open source",
    "evidence": "Evidence",
    "no_evidence": "no evidence stored",
    "unknown": "unknown",
    "advert_missing": "This advert is no longer in the index (retention period over?).",
    "footer": "Sent by smokkelradar. Advert text is quoted as found; links open the original source.",
    "possible_duplicate": (
        "Possible duplicate: an earlier attempt to send this mail was interrupted and may have arrived."
    ),
    "maintenance": "maintenance",
}

WORDING: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"nl": MappingProxyType(_NL), "en": MappingProxyType(_EN)}
)


def words(language: str) -> Mapping[str, str]:
    """The table for ``language`` (nl or en, as the saved search's ``language`` allows)."""
    return WORDING[language]


def count_phrase(language: str, count: int) -> str:
    table = words(language)
    return table["one_new"] if count == 1 else table["many_new"].format(count=count)
