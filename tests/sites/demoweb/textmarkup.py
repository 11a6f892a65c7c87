"""Turn advert text (attacker-controlled) into safe HTML and XML, the way the real sites do.

Everything that comes from the corpus goes through ``esc`` or one of the formatters here;
renderers never put corpus text into markup by string concatenation alone.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

RTL_LANGS = frozenset({"ar", "fa", "ps", "ckb", "ur", "he", "yi", "dv"})

# Characters XML 1.0 forbids; a feed with one of them is not well-formed.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Emoji: pictographs, symbols, flags, with their joiners, variation selectors and skin tones.
# Arrows and (c)/(R) stay plain text, as t.me leaves them unless an emoji selector follows.
_EMOJI_CORE = "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u3030\u303d"
_EMOJI = re.compile(
    f"(?:[\U0001f1e6-\U0001f1ff]{{2}}|[{_EMOJI_CORE}][\ufe0f\U0001f3fb-\U0001f3ff]*"
    f"(?:\u200d[{_EMOJI_CORE}][\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
)
_URL = re.compile(r"(?:https?://|(?<![\w.@/])(?:t\.me|wa\.me)/)[^\s<>\"']+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z][A-Za-z0-9_]{3,31})")
_HASHTAG = re.compile(r"(?<![\w&#/])#(\w{2,})")
_TRAILING_PUNCT = ".,;:!?)]}»”’"


def esc(text: str) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape(text, quote=True)


def el(tag: str, css: str, inner: str = "", **attrs: str) -> str:
    """``<tag class="css" attrs>inner</tag>``; attribute values are escaped here, ``inner`` must
    already be markup. Attribute names: ``data_post`` gives ``data-post``, ``for_`` gives ``for``."""
    names = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items())
    return f'<{tag} class="{esc(css)}"{names}>{inner}</{tag}>' if css else f"<{tag}{names}>{inner}</{tag}>"


def xml_safe(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry (ElementTree escapes the rest)."""
    return _XML_INVALID.sub("", text)


def stable_hash(*parts: str) -> int:
    """A hash that is the same in every process (Python's ``hash`` is salted)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def ascii_slug(text: str, limit: int = 60) -> str:
    """Latin words of ``text`` as a URL slug; empty for text without Latin letters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:limit].rstrip("-")


def text_dir(lang: str) -> str:
    return "rtl" if lang in RTL_LANGS else "ltr"


def dir_attrs(lang: str) -> str:
    """``dir``/``lang`` attributes for right-to-left text, nothing for left-to-right."""
    return f' dir="rtl" lang="{esc(lang)}"' if lang in RTL_LANGS else ""


def rtl(lang: str) -> dict[str, str]:
    """The same as ``dir_attrs`` as keyword arguments for ``el``."""
    return {"dir": "rtl", "lang": lang} if lang in RTL_LANGS else {}


def lines_html(text: str) -> str:
    """Plain text with its line breaks as ``<br>``."""
    return "<br>".join(esc(line) for line in text.strip("\n").split("\n"))


def paragraphs_html(text: str) -> str:
    """Blank-line separated blocks as ``<p>``, single line breaks as ``<br>``."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "\n".join(f"<p>{lines_html(block)}</p>" for block in blocks)


def split_url(match: str) -> tuple[str, str]:
    """A matched URL without the punctuation that ends the sentence it sits in."""
    url = match
    while url and url[-1] in _TRAILING_PUNCT:
        url = url[:-1]
    return url, match[len(url) :]


def absolute_url(url: str) -> str:
    return url if re.match(r"https?://", url, re.IGNORECASE) else "https://" + url


def find_urls(text: str) -> list[str]:
    return [absolute_url(split_url(m.group(0))[0]) for m in _URL.finditer(text)]


def telegram_local(url: str, profile_url: Callable[[str], str]) -> str:
    """Links to t.me itself lead to the demo web, which plays t.me (no test may leave 127.0.0.1)."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() in ("t.me", "telegram.me"):
        return profile_url(parts.path.lstrip("/")) + (f"?{parts.query}" if parts.query else "")
    return url


def telegram_text_html(text: str, profile_url: Callable[[str], str], tag_url: Callable[[str], str]) -> str:
    """Message text as t.me renders it: links, @mentions, #hashtags, emoji images, ``<br>``."""
    token = re.compile(
        f"{_URL.pattern}|{_MENTION.pattern}|{_HASHTAG.pattern}|{_EMOJI.pattern}|\n", re.IGNORECASE
    )
    out: list[str] = []
    pos = 0
    for match in token.finditer(text.strip("\n")):
        out.append(esc(match.string[pos : match.start()]))
        pos = match.end()
        found = match.group(0)
        if found == "\n":
            out.append("<br/>")
        elif match.group(1) is not None:  # a @mention
            out.append(f'<a href="{esc(profile_url(match.group(1)))}">{esc(found)}</a>')
        elif match.group(2) is not None:  # a #hashtag
            out.append(f'<a href="{esc(tag_url(match.group(2)))}">{esc(found)}</a>')
        elif _EMOJI.fullmatch(found):
            code = "-".join(f"{ord(ch):x}" for ch in found if ch != "\ufe0f")
            out.append(
                f'<i class="emoji" style="background-image:url(\'/static/tg/emoji/{code}.png\')">'
                f"<b>{esc(found)}</b></i>"
            )
        else:
            url, rest = split_url(found)
            href = telegram_local(absolute_url(url), profile_url)
            out.append(f'<a href="{esc(href)}" target="_blank" rel="noopener">{esc(url)}</a>{esc(rest)}')
    out.append(esc(text.strip("\n")[pos:]))
    return "".join(out)


def plain_excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def iso_z(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(when: datetime) -> str:
    """ISO 8601 with ``+00:00`` as t.me and sitemaps write it."""
    return when.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def forum_date(when: datetime) -> str:
    return when.strftime("%d %b %Y, %H:%M")


def compact_count(n: int) -> str:
    """Counts the way Telegram shows views: 987, 1.2K, 15.3K, 1.1M."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}".rstrip("0").rstrip(".") + "K"
    return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "M"
