"""Schema of ``alerts/*.yaml``: saved searches that mail the MDT mailbox when new adverts match.

A file holds a list under ``searches:``. Filters use the vocabulary of ``smokkelradar search``
(``--lang``, ``--from``, ``--price-min`` ... become ``lang:``, ``from:``, ``price_min:``).
The cadence is written as people say it (``daily at 07:30``) and parsed into a ``Cadence``.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from radar.config.base import StrictModel
from radar.config.types import EmailAddress, Name, OneOrMany, shown

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_CADENCE = re.compile(
    r"(?P<kind>immediate|hourly|daily|weekly)"
    r"(?:\s+on\s+(?P<day>[a-z]+))?"
    r"(?:\s+at\s+(?P<hour>\d{1,2}):(?P<minute>\d\d))?"
)


class Cadence(StrictModel):
    """How often a saved search mails: at once, every hour, daily or weekly at a local time.

    Written as ``immediate``, ``hourly``, ``daily at 07:30``, ``weekly`` or
    ``weekly on friday at 16:00``. Times are in radar.yaml's time zone; ``daily`` alone
    means 08:00 and ``weekly`` alone Monday 08:00.
    """

    kind: Literal["immediate", "hourly", "daily", "weekly"]
    at: time | None = None
    # 0 = Monday, as in datetime.weekday().
    weekday: int | None = Field(default=None, ge=0, le=6)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if not isinstance(data, str):
            return data
        text = " ".join(data.lower().split())
        match = _CADENCE.fullmatch(text)
        problem = (
            f"expected 'immediate', 'hourly', 'daily at HH:MM', 'weekly' or 'weekly on <day> at HH:MM', "
            f"got {shown(data)}"
        )
        if match is None:
            raise ValueError(problem)
        kind, day, hour = match["kind"], match["day"], match["hour"]
        if (day and kind != "weekly") or (hour and kind in ("immediate", "hourly")):
            raise ValueError(problem)
        if day and day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {shown(day)}; use one of {', '.join(WEEKDAYS)}")
        at = None
        if kind in ("daily", "weekly"):
            hours, minutes = (int(hour), int(match["minute"])) if hour else (8, 0)
            if hours > 23 or minutes > 59:
                raise ValueError(f"no such time of day in {shown(data)}")
            at = time(hours, minutes)
        weekday = WEEKDAYS.index(day or "monday") if kind == "weekly" else None
        return {"kind": kind, "at": at, "weekday": weekday}

    def __str__(self) -> str:
        if self.kind == "daily" and self.at is not None:
            return f"daily at {self.at:%H:%M}"
        if self.kind == "weekly" and self.at is not None and self.weekday is not None:
            return f"weekly on {WEEKDAYS[self.weekday]} at {self.at:%H:%M}"
        return self.kind


def _upper(value: str) -> str:
    return value.upper()


def _pattern(regex: str, example: str) -> AfterValidator:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"expected a value such as '{example}', got {shown(value)}")
        return value

    return AfterValidator(check)


Country = Annotated[str, AfterValidator(_upper), _pattern(r"[A-Z]{2}", "LY")]
LanguageCode = Annotated[str, _pattern(r"[a-z]{2,3}", "ar")]
Label = Annotated[str, _pattern(r"[a-z][a-z0-9_]*", "residence_permit")]
Phone = Annotated[str, _pattern(r"\+[1-9]\d{6,14}", "+218912345678")]


# Tuples that also accept one bare value (``lang: ar`` as well as ``lang: [ar, fa]``).
Countries = Annotated[tuple[Country, ...], OneOrMany]
Languages = Annotated[tuple[LanguageCode, ...], OneOrMany]
Labels = Annotated[tuple[Label, ...], OneOrMany]
Names = Annotated[tuple[Name, ...], OneOrMany]
Phones = Annotated[tuple[Phone, ...], OneOrMany]
Texts = Annotated[tuple[str, ...], OneOrMany]


class SearchFilters(StrictModel):
    """Filters of a saved search; lists mean "any of these", separate keys must all hold."""

    lang: Languages = ()
    # Any country on the route, in any role.
    country: Countries = ()
    from_: Countries = Field(default=(), alias="from")
    to: Countries = ()
    via: Countries = ()
    # Price bounds in EUR, or in ``currency`` when it is given.
    price_min: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    currency: Annotated[str, AfterValidator(_upper), _pattern(r"[A-Z]{3}", "EUR")] | None = None
    # Labels as the enrichment writes them (passport, visa, residence_permit; boat, truck ...).
    document: Labels = ()
    transport: Labels = ()
    # Source names from sources/*.yaml.
    source: Names = ()
    # Phone numbers in E.164 (+218...), handles as written (@name).
    phone: Phones = ()
    handle: Texts = ()

    @model_validator(mode="after")
    def _price_range(self) -> SearchFilters:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError(f"price_min ({self.price_min:g}) is above price_max ({self.price_max:g})")
        return self


class SavedSearch(StrictModel):
    """One saved search: what to look for, and who gets mail how often."""

    name: Name
    description: str = ""
    enabled: bool = True
    # Same syntax as ``smokkelradar search`` (Elasticsearch simple_query_string); empty: filters only.
    query: str = ""
    filters: SearchFilters = SearchFilters()
    # Adverts scoring below this relevance (0..1) are not mailed.
    min_score: float = Field(default=0.5, ge=0, le=1)
    # Default (none given): the MDT mailbox from radar.yaml.
    recipients: Annotated[tuple[EmailAddress, ...], OneOrMany] = ()
    cadence: Cadence
    # digest: one mail per run with every new match; per_advert: one mail per matching advert.
    delivery: Literal["digest", "per_advert"] = "digest"
    language: Literal["nl", "en"] = "nl"

    @model_validator(mode="after")
    def _looks_for_something(self) -> SavedSearch:
        if not self.query and self.filters == SearchFilters():
            raise ValueError("give a 'query' or at least one filter; an empty search would mail every advert")
        return self


class AlertFile(StrictModel):
    """One file in ``alerts/``."""

    searches: tuple[SavedSearch, ...] = ()
