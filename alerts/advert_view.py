"""What a mail shows of one advert, read from its Elasticsearch document.

The document is the indexer's (the enrichment record plus crawl and cluster fields). This
module is the one place that knows those field names on the alerts side; everything here is
read defensively, because an advert with a missing field must still be mailed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency
from markupsafe import Markup

from alerts import highlight
from alerts.wording import words
from indexer.highlight import Span


@dataclass(frozen=True)
class Evidence:
    label: str
    sha256: str
    link: str | None  # an http(s) address when the evidence is reachable by one


@dataclass(frozen=True)
class AdvertView:
    """One advert as the templates use it; text fields are plain, ``*_html`` fields are safe markup."""

    advert_id: str
    title: str
    title_html: Markup
    text: str
    text_html: Markup
    language: str
    route: str
    prices: tuple[str, ...]
    documents: tuple[str, ...]
    transport: tuple[str, ...]
    contacts: tuple[str, ...]
    source: str
    url: str | None
    posted: str
    reposts: int
    score: float | None
    evidence: tuple[Evidence, ...]
    missing: bool = False  # the advert left the index before the mail was written


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _get(doc: Mapping[str, Any], dotted: str) -> Any:
    """``doc["a"]["b"]`` for ``"a.b"``; also accepts a flattened key ``"a.b"``."""
    if dotted in doc:
        return doc[dotted]
    value: Any = doc
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _first(doc: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = _get(doc, name)
        if value not in (None, "", [], {}):
            return value
    return None


def route_of(doc: Mapping[str, Any]) -> str:
    """``LY → TN → IT``: origin, transits, destination; ``?`` for an unknown end."""
    route = _get(doc, "route")
    if not isinstance(route, Mapping):
        return ""
    origin = _text(route.get("origin"))
    transit = [_text(country) for country in _list(route.get("transit")) if _text(country)]
    destination = _text(route.get("destination"))
    if not (origin or transit or destination):
        return ""
    return " → ".join([origin or "?", *transit, destination or "?"])


def _money(amount: float, currency: str, locale: str) -> str:
    try:
        return str(
            format_currency(amount, currency, locale=locale, format="¤ #,##0.##", currency_digits=False)
        )
    except (ValueError, KeyError):  # a currency babel does not know: show the code
        return f"{amount:,.0f} {currency}"


def prices_of(doc: Mapping[str, Any], locale: str) -> tuple[str, ...]:
    """Each price as ``€ 2.500 (3.000 USD, per person)``: EUR first, the advert's own currency beside it."""
    shown: list[str] = []
    for price in _list(_get(doc, "prices")):
        if not isinstance(price, Mapping):
            continue
        amount, currency, eur = price.get("amount"), _text(price.get("currency")), price.get("eur")
        own = _money(float(amount), currency, locale) if isinstance(amount, int | float) and currency else ""
        kind = _text(price.get("kind")).replace("_", " ")
        if isinstance(eur, int | float) and currency != "EUR":
            extra = ", ".join(part for part in (own, kind) if part)
            shown.append(f"{_money(float(eur), 'EUR', locale)}" + (f" ({extra})" if extra else ""))
        elif own:
            shown.append(own + (f" ({kind})" if kind else ""))
    return tuple(shown)


def _labels(value: Any) -> tuple[str, ...]:
    labels = []
    for item in _list(value):
        label = item.get("label") or item.get("type") if isinstance(item, Mapping) else item
        if isinstance(label, str) and label:
            labels.append(label.replace("_", " "))
    return tuple(dict.fromkeys(labels))


def contacts_of(doc: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for phone in _list(_get(doc, "phones")):
        number = phone.get("e164") if isinstance(phone, Mapping) else phone
        if isinstance(number, str):
            found.append(number)
    for handle in _list(_get(doc, "handles")):
        if isinstance(handle, Mapping):
            platform, value = _text(handle.get("platform")), _text(handle.get("value"))
            found.append(f"{platform}: {value}" if platform else value)
        elif isinstance(handle, str):
            found.append(handle)
    found += [email for email in _list(_get(doc, "emails")) if isinstance(email, str)]
    return tuple(dict.fromkeys(item for item in found if item))


def local_time(value: Any, timezone: str) -> str:
    """An ISO timestamp (UTC) as ``2024-06-01 14:05 CEST`` in ``timezone``; '' when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def evidence_of(doc: Mapping[str, Any]) -> tuple[Evidence, ...]:
    found: list[Evidence] = []
    for item in _list(_get(doc, "evidence")):
        if not isinstance(item, Mapping):
            continue
        location = _text(item.get("url") or item.get("path") or item.get("file"))
        sha = _text(item.get("sha256"))
        label = _text(item.get("kind") or item.get("type")) or "evidence"
        link = location if location.startswith(("http://", "https://")) else None
        found.append(Evidence(f"{label} {location}".strip(), sha, link))
    return tuple(found)


def _http_url(value: Any) -> str | None:
    # Only http(s) links go into a mail: an advert could carry javascript: or file: addresses.
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def view_of(
    advert_id: str,
    doc: Mapping[str, Any] | None,
    highlights: Mapping[str, Sequence[Span]],
    *,
    language: str,
    timezone: str,
) -> AdvertView:
    """Build the view of one advert; ``doc`` None means it is no longer in the index."""
    if doc is None:
        return AdvertView(
            advert_id,
            "",
            Markup(""),
            "",
            Markup(""),
            "",
            "",
            (),
            (),
            (),
            (),
            "",
            None,
            "",
            0,
            None,
            (),
            missing=True,
        )
    table = words(language)
    text = _text(_first(doc, "text", "body"))
    title = _text(_get(doc, "title"))
    text_spans = highlights.get("text", ())
    title_spans = highlights.get("title", ())
    reposts = _first(doc, "cluster.repost_count", "repost_count", "cluster.reposts", "reposts")
    score = _get(doc, "score")
    return AdvertView(
        advert_id=_text(_get(doc, "advert_id")) or advert_id,
        title=highlight.to_plain(title, title_spans),
        title_html=highlight.to_html(title, title_spans),
        text=highlight.to_plain(text, text_spans),
        text_html=highlight.to_html(text, text_spans),
        language=", ".join(str(code) for code in _list(_first(doc, "language", "languages"))),
        route=route_of(doc),
        prices=prices_of(doc, table["locale"]),
        documents=_labels(_get(doc, "documents")),
        transport=_labels(_get(doc, "transport")),
        contacts=contacts_of(doc),
        source=_text(_get(doc, "source")),
        url=_http_url(_first(doc, "url", "permalink")),
        posted=local_time(_first(doc, "posted_at", "posted", "fetched_at"), timezone),
        reposts=reposts if isinstance(reposts, int) else 0,
        score=float(score) if isinstance(score, int | float) else None,
        evidence=evidence_of(doc),
    )
