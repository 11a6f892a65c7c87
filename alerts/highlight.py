"""Matched terms in an advert's own text, rendered for a mail: escaped HTML and plain text.

The spans come from the indexer (``indexer.search.hit_highlights``: Elasticsearch's
highlights mapped back to offsets in the original text). Advert text is written by
smugglers, so it is never trusted as HTML: every piece is escaped here and the only markup in
the result is the ``<mark>`` we put around a span.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from indexer.highlight import Span, mark, merge

# Inline (Outlook ignores style sheets); black on yellow reads in every client's dark mode too.
_MARK_STYLE = "background-color:#ffe58f;color:#000000;font-weight:bold;padding:0 1px;"


def to_html(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` escaped, line breaks kept, matched spans in ``<mark>``."""
    parts: list[str] = []
    position = 0
    for start, end in merge(spans):
        parts.append(str(escape(text[position:start])))
        parts.append(f'<mark style="{_MARK_STYLE}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts).replace("\n", "<br>\n"))  # noqa: S704 (every piece escaped above)


def to_plain(text: str, spans: Iterable[Span]) -> str:
    """``text`` with matched spans wrapped in asterisks, for the text part of the mail."""
    return mark(text, merge(spans), "*", "*")
