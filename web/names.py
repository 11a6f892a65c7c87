"""Readable names for the codes adverts are tagged with (countries, languages), in English."""

from __future__ import annotations

from functools import cache

from babel import Locale


@cache
def _locale() -> Locale:
    return Locale("en")


def country_name(code: str) -> str:
    """``LY`` -> ``Libya``; an unknown code is returned as it is."""
    return str(_locale().territories.get(code.upper(), code)) if len(code) == 2 else code


def language_name(code: str) -> str:
    """``ckb`` -> ``Central Kurdish``; an unknown code is returned as it is."""
    return str(_locale().languages.get(code.lower(), code))


def label(param: str, code: str) -> str:
    """How a facet value of ``param`` reads on the page: ``Libya (LY)``, ``Arabic (ar)``, or the value."""
    if param in ("origin", "via", "destination", "country"):
        name = country_name(code)
    elif param == "lang":
        name = language_name(code)
    else:
        return code.replace("_", " ")
    return f"{name} ({code})" if name != code else code
