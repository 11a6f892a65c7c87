"""The route of an advert, from the roles its places were given (``nlp.places``).

The destination is the last place reached that is never left again (a country that is also an
origin is a stage on the way), or the first of its alternatives ("to Germany or France"). The
origin is the first place left towards somewhere named on the same line, else the first place
left. Stages in between are transit: transit places, destinations passed on the way, and places
left again on a later leg ("from Istanbul to Edirne" after "from Erbil to Turkey").
"""

from __future__ import annotations

from nlp.annotations import Analysis, PlaceMention, Route


def same_line(state: Analysis, left: PlaceMention, right: PlaceMention) -> bool:
    """No line break between the start of ``left`` and the start of ``right``."""
    tokens = state.tokens
    return "\n" not in state.folded.text[tokens[left.first].start : tokens[right.first].start]


def starts_leg(state: Analysis, origin: PlaceMention, mentions: list[PlaceMention]) -> bool:
    """Some place later on the origin's line is a destination or a transit."""
    return any(
        m.first > origin.first and m.role in ("destination", "transit") and same_line(state, origin, m)
        for m in mentions
    )


def route_of(state: Analysis, mentions: list[PlaceMention]) -> Route:
    """Origin, transit countries and final destination (see the module's docstring)."""
    origins = [m for m in mentions if m.role == "origin"]
    destinations = [m for m in mentions if m.role == "destination"]
    left_from = {m.country for m in origins}
    final = [m for m in destinations if m.country not in left_from] or destinations
    head = next(m for m in mentions if m.group == final[-1].group) if final else None
    destination = head.country if head is not None else None
    legs = [m for m in origins if m.country != destination and starts_leg(state, m, mentions)]
    leaving = legs or [m for m in origins if m.country != destination]
    start = leaving[0] if leaving else None
    origin = start.country if start is not None else None
    transit: list[str] = []
    for mention in mentions:
        country = mention.country
        if country in (origin, destination) or country in transit:
            continue
        stage = mention.role == "transit" or (
            mention.role == "destination" and head is not None and mention.group != head.group
        )
        if mention.role == "origin" and start is not None and mention.group != start.group:
            stage = mention.first > start.first and mention in legs
        if stage:
            transit.append(country)
    return Route(origin, tuple(transit), destination)


def relabel(mentions: list[PlaceMention], route: Route) -> None:
    """Places of a country that became a transit country are transit places."""
    for mention in mentions:
        if mention.role != "none" and mention.country in route.transit:
            mention.role = "transit"
