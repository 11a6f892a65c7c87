"""Highlights mapped back onto the original advert text.

Elasticsearch marks matches with tags in a copy of the field's text. We ask for the whole
field (``number_of_fragments: 0``) with private-use characters as tags, so removing the tags
gives back the original text exactly and every tag position is an offset into it. The web
UI and the CLI then mark those spans themselves: advert text is attacker-controlled, so no
HTML from the search engine is ever rendered as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

PRE = "\ue000"
POST = "\ue001"
_PAIR = re.compile(f"{PRE}([^{PRE}{POST}]*){POST}")

Span = tuple[int, int]


def spans_in(marked: str, original: str) -> list[Span]:
    """The ``[start, end)`` offsets in ``original`` of the marked parts of ``marked``."""
    # Fast path (the web app calls this for every hit and language field): when the tags come in
    # clean pairs, each pair before a match shifts its offsets by two characters.
    pairs = list(_PAIR.finditer(marked))
    if marked.count(PRE) + marked.count(POST) == 2 * len(pairs):
        spans = [
            (m.start() - 2 * i, m.end() - 2 * i - 2) for i, m in enumerate(pairs) if m.end() - m.start() > 2
        ]
        return _placed(spans, marked.replace(PRE, "").replace(POST, ""), original)
    return _spans_by_walking(marked, original)


def _spans_by_walking(marked: str, original: str) -> list[Span]:
    """``spans_in`` for stray or nested tags (advert text may itself hold the private-use characters)."""
    spans: list[Span] = []
    plain: list[str] = []
    position, start = 0, None
    for char in marked:
        if char == PRE:
            start = position
        elif char == POST:
            if start is not None and position > start:
                spans.append((start, position))
            start = None
        else:
            plain.append(char)
            position += 1
    return _placed(spans, "".join(plain), original)


def _placed(spans: list[Span], text: str, original: str) -> list[Span]:
    """``spans`` of ``text`` (the marked copy without tags) as offsets into ``original``."""
    if text == original:
        return spans
    # A fragment rather than the whole field (should not happen with number_of_fragments 0):
    # place it where it occurs in the original, or give up on it.
    offset = original.find(text)
    return [] if offset < 0 else [(s + offset, e + offset) for s, e in spans]


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, spans: Sequence[Span], before: str, after: str) -> str:
    """``text`` with ``before``/``after`` around each span."""
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], before, text[start:end], after]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def snippet(text: str, spans: Sequence[Span], width: int = 160, before: str = "[", after: str = "]") -> str:
    """About ``width`` characters around the first match, matches marked, lines joined."""
    if not spans:
        cut = text[:width]
        return " ".join((cut + ("…" if len(text) > width else "")).split())
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    body = mark(text[start:end], inside, before, after)
    return ("…" if start > 0 else "") + " ".join(body.split()) + ("…" if end < len(text) else "")
