"""Public Telegram channel previews in the structure of ``https://t.me/s/<channel>``.

Reproduced from how t.me lays out a preview (not copied): one ``div.tgme_widget_message``
per message with ``data-post="<channel>/<id>"``, oldest first and newest last, a
``a.tme_messages_more[data-before]`` "load older" link at the top, forwarded-from, reply-to,
photo captions, emoji as ``<i class="emoji"><b>…</b></i>``, views, and ``time[datetime]``.
Links to t.me itself point at the demo web, which plays t.me here.

Known quirk kept on purpose: link-preview hrefs are escaped twice (``&amp;amp;``), so a
crawler that reads them naively gets ``&amp;`` inside the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.sites.demoweb.catalog import Placement
from tests.sites.demoweb.textmarkup import (
    compact_count,
    el,
    esc,
    find_urls,
    iso_offset,
    plain_excerpt,
    stable_hash,
    telegram_local,
    telegram_text_html,
)


@dataclass(frozen=True)
class ChannelInfo:
    name: str
    title: str
    members: int
    description: str
    public_preview: bool = True
    members_word: str = "subscribers"


CHANNELS = {
    "boza_express": ChannelInfo(
        "boza_express",
        "Boza Express 🚤",
        12843,
        "Daily trips. Safe and fast. Write to the admin for details.",
    ),
    "docs_vip": ChannelInfo("docs_vip", "DOCS VIP ✈️📄", 4310, "Documents for every country. Quick delivery."),
    "empty_channel": ChannelInfo("empty_channel", "Travel Notes", 57, "Notes from the road. Coming soon."),
    "private_group": ChannelInfo(
        "private_group",
        "Yol Grubu",
        2210,
        "Closed group, join by request.",
        public_preview=False,
        members_word="members",
    ),
}
_SITE_NAMES = {
    "wa.me": "WhatsApp",
    "t.me": "Telegram",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
}


def _members(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _avatar(info: ChannelInfo, css: str) -> str:
    return el("i", f"{css} bgcolor{len(info.name) % 7}", data_content=info.name[:1].upper())


def _auto(css: str, inner: str) -> str:
    """A ``div`` with ``dir="auto"``, as t.me wraps every piece of user text."""
    return el("div", css, inner, dir="auto")


def message_html(placement: Placement, base: str, replied: Placement | None) -> str:
    """One message block; ``replied`` is the message it answers (when this one is a reply)."""
    entry, channel = placement.entry, placement.source
    info = CHANNELS[channel]
    h = stable_hash(entry.id, "telegram")
    forwarded, has_photo = h % 5 == 0, (h >> 16) % 4 == 0
    own = f"{base}/{channel}"
    post_url = f"{own}/{placement.number}"
    owner = el("a", "tgme_widget_message_owner_name", el("span", "", esc(info.title), dir="auto"), href=own)
    parts = [
        el("i", "tgme_widget_message_bubble_tail"),
        el("div", "tgme_widget_message_author accent_color", owner),
    ]
    if forwarded:
        parts.append(_forwarded_from(entry.author, base, h))
    if replied is not None:
        reply_author = el("span", "tgme_widget_message_author_name", esc(info.title), dir="auto")
        reply_text = _auto(
            "tgme_widget_message_metatext js-message_reply_text", esc(plain_excerpt(replied.entry.text, 60))
        )
        reply_head = el("div", "tgme_widget_message_author accent_color", reply_author)
        parts.append(
            el("a", "tgme_widget_message_reply", reply_head + reply_text, href=f"{own}/{replied.number}")
        )
    if has_photo:
        photo = el("div", "tgme_widget_message_photo", style="padding-top:75%")
        style = f"width:800px;background-image:url('/static/tg/photo/{h % 9}.png')"
        parts.append(el("a", "tgme_widget_message_photo_wrap", photo, href=f"{post_url}?single", style=style))
    text = telegram_text_html(entry.text, lambda handle: f"{base}/{handle}", lambda tag: f"?q=%23{tag}")
    parts.append(_auto("tgme_widget_message_text js-message_text", text))
    urls = find_urls(entry.text)
    if urls:
        parts.append(_link_preview(urls[0], telegram_local(urls[0], lambda path: f"{base}/{path}")))
    when = entry.posted
    date = el("time", "time", f"{when:%b} {when.day}", datetime=iso_offset(when))
    info_parts = [
        el("span", "tgme_widget_message_views", compact_count(150 + h % 24000)),
        el("span", "copyonly", " views"),
        "" if forwarded else el("span", "tgme_widget_message_from_author", esc(entry.author), dir="auto"),
        el("span", "tgme_widget_message_meta", el("a", "tgme_widget_message_date", date, href=post_url)),
    ]
    footer_info = el("div", "tgme_widget_message_info short js-message_info", "".join(info_parts))
    parts.append(el("div", "tgme_widget_message_footer compact js-message_footer", footer_info))
    bubble = el("div", "tgme_widget_message_bubble", "\n".join(parts))
    user = el(
        "div",
        "tgme_widget_message_user",
        el("a", "", _avatar(info, "tgme_widget_message_user_photo"), href=own),
    )
    message = el(
        "div",
        "tgme_widget_message text_not_supported_wrap js-widget_message",
        f"\n{user}\n{bubble}\n",
        data_post=f"{channel}/{placement.number}",
    )
    return el("div", "tgme_widget_message_wrap js-widget_message_wrap", f"\n{message}\n")


def _forwarded_from(author: str, base: str, h: int) -> str:
    name = el("span", "", esc(author), dir="auto")
    css = "tgme_widget_message_forwarded_from_name"
    if author.replace("_", "").isalnum() and author.isascii() and len(author) >= 4:
        source = el("a", css, name, href=f"{base}/{author}/{h % 900 + 10}")
    else:
        # Forwards from people who hide their account carry the name only, no link.
        source = el("span", css, name)
    return el("div", "tgme_widget_message_forwarded_from accent_color", f"Forwarded from {source}")


def _link_preview(url: str, href: str) -> str:
    """A preview card for ``url`` (named after its site), linking to ``href``."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    site = _SITE_NAMES.get(host, host)
    inner = (
        _auto("link_preview_site_name accent_color", esc(site))
        + _auto("link_preview_title", esc(site))
        + _auto("link_preview_description", esc(plain_excerpt(url, 70)))
    )
    # The quirk: the href is escaped once more than HTML needs, so '&' arrives as '&amp;amp;'.
    return f'<a class="tgme_widget_message_link_preview" href="{esc(esc(href))}">{inner}</a>'


def _head(info: ChannelInfo, title: str, canonical: str, links: str = "", description: str = "") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0">
<meta property="og:title" content="{esc(info.title)}">
<meta property="og:description" content="{esc(description or info.description)}">
<meta property="og:site_name" content="Telegram">
<link rel="canonical" href="{esc(canonical)}">{links}
<link rel="stylesheet" href="/static/tg/telegram.css">
</head>
"""


def _more(s: str, direction: str, message_id: int) -> str:
    """The "load older" (``before``) or "load newer" (``after``) link of a preview page."""
    link = el(
        "a",
        "tme_messages_more js-messages_more",
        href=f"{s}?{direction}={message_id}",
        **{f"data_{direction}": str(message_id)},
    )
    return el("div", "tgme_widget_message_centered js-messages_more_wrap", link)


def channel_preview(
    info: ChannelInfo,
    page: list[tuple[Placement, Placement | None]],
    older: int | None,
    newer: int | None,
    base: str,
) -> str:
    """A ``/s/<channel>`` page: ``page`` holds (message, replied-to) oldest first;
    ``older`` is the ``before=`` id of the previous page, ``newer`` the ``after=`` id of the next."""
    s = f"/s/{info.name}"
    links = ""
    history = []
    if older is not None:
        links += f'\n<link rel="prev" href="{esc(s)}?before={older}">'
        history.append(_more(s, "before", older))
    history += [message_html(message, base, replied) for message, replied in page]
    if not page:
        nothing = el("span", "tme_no_messages_found", "No posts here yet")
        history.append(el("div", "tgme_widget_message_centered", nothing))
    if newer is not None:
        links += f'\n<link rel="next" href="{esc(s)}?after={newer}">'
        history.append(_more(s, "after", newer))
    channel_url = f"{base}/{info.name}"
    members = f"{_members(info.members)} {info.members_word}"
    header_link = el(
        "a",
        "tgme_header_link",
        el("div", "tgme_header_title", esc(info.title)) + el("div", "tgme_header_counter", members),
        href=channel_url,
    )
    search = el("form", "tgme_header_search_form", '<input type="text" name="q">', action=s, method="get")
    counter = el("span", "counter_value", _members(info.members)) + el(
        "span", "counter_type", info.members_word
    )
    username = el("a", "", f"@{esc(info.name)}", href=channel_url)
    messages = "\n".join(history)
    return (
        _head(info, f"{info.title} – Telegram", f"{base}{s}", links)
        + f"""<body class="widget_frame_base tgme_webpreview_body">
<header class="tgme_header search_collapsed">{el("div", "tgme_header_info", header_link)}
{search}
</header>
<main class="tgme_main"><div class="tgme_container">
<section class="tgme_channel_history js-message_history">
{messages}
</section>
</div></main>
<aside class="tgme_channel_info">
<div class="tgme_channel_info_header">{_avatar(info, "tgme_page_photo_image")}
{el("div", "tgme_channel_info_header_title", el("span", "", esc(info.title), dir="auto"))}
{el("div", "tgme_channel_info_header_username", username)}</div>
{el("div", "tgme_channel_info_counters", el("div", "tgme_channel_info_counter", counter))}
{_auto("tgme_channel_info_description", esc(info.description))}
</aside>
</body>
</html>
"""
    )


def channel_info_page(info: ChannelInfo, base: str) -> str:
    """``/<channel>``: what t.me shows for a channel, and all it shows for one without a public preview."""
    view = el(
        "a", "tgme_action_button_new shine", "View in Telegram", href=f"tg://resolve?domain={info.name}"
    )
    preview = el("a", "tgme_action_web_button", "Preview channel", href=f"/s/{info.name}")
    return (
        _head(info, f"Telegram: Contact @{info.name}", f"{base}/{info.name}")
        + f"""<body class="tgme_page_body">
<div class="tgme_page_wrap"><div class="tgme_page">
{el("div", "tgme_page_photo", _avatar(info, "tgme_page_photo_image"))}
{el("div", "tgme_page_title", el("span", "", esc(info.title), dir="auto"))}
{el("div", "tgme_page_extra", f"{_members(info.members)} {info.members_word}")}
{_auto("tgme_page_description", esc(info.description))}
{el("div", "tgme_page_action", view)}
{el("div", "tgme_page_additional", preview) if info.public_preview else ""}
</div></div>
</body>
</html>
"""
    )


def single_message_page(placement: Placement, replied: Placement | None, base: str) -> str:
    """``/<channel>/<id>``: one message on its own page, as t.me shows a post link."""
    info = CHANNELS[placement.source]
    canonical = f"{base}/{placement.source}/{placement.number}"
    excerpt = plain_excerpt(placement.entry.text, 200)
    preview = el("a", "tgme_action_button_new", "Preview channel", href=f"/s/{info.name}")
    return (
        _head(info, f"{info.title} – Telegram", canonical, description=excerpt)
        + f"""<body class="tgme_page_body">
<div class="tgme_page_wrap"><div class="tgme_page tgme_page_post">
{message_html(placement, base, replied)}
{el("div", "tgme_page_action", preview)}
</div></div>
</body>
</html>
"""
    )


def reply_target(placement: Placement, channel_messages: list[Placement]) -> Placement | None:
    """The message ``placement`` answers, if it is a reply: some messages reply to the one
    posted before them in the same channel (whether or not that one is published now)."""
    if (stable_hash(placement.entry.id, "telegram") >> 8) % 6 != 0:
        return None
    index = channel_messages.index(placement)
    return channel_messages[index - 1] if index > 0 else None
