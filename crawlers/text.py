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
_LINE_BREAK = "\n"
_PARAGRAPH = "\n\n"
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_WHITESPACE = re.compile(r"\s+")


def tidy_text(text: str) -> str:
    """Each line stripped with inner spaces collapsed; at most one blank line between paragraphs."""
    if "\n" not in text and "\r" not in text:  # one line (most ::text values): the same, cheaper
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_LINES.sub(_PARAGRAPH, "\n".join(lines)).strip()


def element_text(element: etree._Element) -> str:
    """The text of an lxml element as a reader sees it (see the module docstring)."""
    parts: list[str] = []
    _walk(element, parts, is_root=True)
    return tidy_text("".join(parts))


def _flat(text: str | None) -> str:
    # Newlines in the HTML source are plain whitespace; only markup makes line breaks.
    return _WHITESPACE.sub(" ", text) if text else ""


def _walk(node: etree._Element, parts: list[str], *, is_root: bool = False) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""  # comments and processing instructions
    name = tag.lower().rpartition("}")[2]
    if tag and name not in SKIPPED:
        if name == "br":
            parts.append(_LINE_BREAK)
        elif name in BLOCKS and not is_root:
            parts.append(_PARAGRAPH)
        parts.append(_flat(node.text))
        for child in node:
            _walk(child, parts)
        if name in BLOCKS and not is_root:
            parts.append(_PARAGRAPH)
    if not is_root:
        parts.append(_flat(node.tail))


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
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
