"""Readable text from HTML: line breaks and paragraphs kept, whitespace tidied, emoji untouched.

Advert text is where officers read phone numbers, prices and routes, so its layout matters:
``<br>`` becomes a line break, block elements (paragraphs, list items, headings) a blank
line, and runs of spaces inside a line one space. Scripts, styles and comments are skipped.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree, html  # type: ignore[import-untyped]

# Elements that start a new paragraph in the text.
BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav"),
        *("ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul"),
    }
)
SKIPPED = frozenset({"script", "style", "noscript", "template", "head"})
_PARAGRAPH = "\n\n"
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def tidy_text(text: str) -> str:
    """Each line stripped with inner spaces collapsed; at most one blank line between paragraphs."""
    if "\n" not in text and "\r" not in text:  # one line (most ::text values): the same, cheaper
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub(_PARAGRAPH, "\n".join(lines)).strip()


def element_text(element: etree._Element) -> str:
    """The text of an lxml element as a reader sees it (see the module docstring)."""
    parts: list[str] = []
    _walk(element, parts, True)
    # One pass over the whole text instead of one per piece: whitespace in the HTML source is
    # plain space; the breaks the markup makes are placeholders until then. ``str.split()`` splits
    # on exactly what the regex ``\s+`` matches (``str.isspace``) and drops the ends, which the
    # steps below strip anyway; it is twice as fast as the regex.
    text = " ".join("".join(parts).split())
    if _BREAK in text:
        # After that pass a line holds at most one space at either end: strip them, then keep at
        # most one blank line between paragraphs (what ``tidy_text`` does line by line).
        text = text.replace(_BREAK, "\n").replace(" \n", "\n").replace("\n ", "\n")
        text = _BLANK_LINES.sub(_PARAGRAPH, text)
    return text.strip()


# A line break made by markup while the text is assembled: NUL, which no lxml text can hold.
_BREAK = "\x00"
_BREAKS = _BREAK * 2  # a paragraph
# How an element takes part in the text, by tag (memoized: a page has few distinct tags).
_INLINE, _BLOCK, _LINE_BREAK_TAG, _SKIPPED_TAG = 0, 1, 2, 3
_ROLES: dict[str, int] = {}
_MAX_ROLES = 512  # a page inventing tags by the thousand does not grow the table


def _role(tag: str) -> int:
    role = _ROLES.get(tag)
    if role is None:
        name = tag.lower().rpartition("}")[2]
        if name in SKIPPED:
            role = _SKIPPED_TAG
        elif name == "br":
            role = _LINE_BREAK_TAG
        else:
            role = _BLOCK if name in BLOCKS else _INLINE
        if len(_ROLES) < _MAX_ROLES:
            _ROLES[tag] = role
    return role


def _walk(node: etree._Element, parts: list[str], is_root: bool = False) -> None:
    tag = node.tag
    if isinstance(tag, str):  # not a comment or processing instruction: those give their tail only
        role = _role(tag)
        if role != _SKIPPED_TAG:
            block = role == _BLOCK and not is_root
            if role == _LINE_BREAK_TAG:
                parts.append(_BREAK)
            elif block:
                parts.append(_BREAKS)
            text = node.text
            if text:
                parts.append(text)
            for child in node:
                _walk(child, parts)
            if block:
                parts.append(_BREAKS)
    if not is_root:
        tail = node.tail
        if tail:
            parts.append(tail)


def html_fragment_text(markup: str) -> str:
    """The text of an HTML fragment (a feed's description, for instance)."""
    if not markup.strip():
        return ""
    try:
        root = html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return tidy_text(markup)
    return element_text(root)


def normalized_for_hash(text: str) -> str:
    """The form of a text its SHA-256 is taken of: NFKC, whitespace runs as one space, stripped.

    Two copies of an advert that differ only in spacing or Unicode presentation forms hash
    alike; any change of wording changes the hash.
    """
    # ``\s+`` as one space, stripped: what ``str.split()`` and a join do, twice as fast as the regex.
    return " ".join(unicodedata.normalize("NFKC", text).split())
