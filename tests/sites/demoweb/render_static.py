"""Pages that are not adverts: the demo's home page, robots.txt, about, contact, and the
``/private/`` area that robots.txt forbids (a polite crawler never requests it)."""

from __future__ import annotations

from tests.sites.demoweb.layout import DEMO, FORUM, html_page
from tests.sites.demoweb.textmarkup import esc

_SOURCES = (
    ("/forum/", "Caravan Board: classifieds with paginated listings and one page per advert"),
    ("/s/boza_express", "Telegram preview of @boza_express (crossings)"),
    ("/s/docs_vip", "Telegram preview of @docs_vip (documents)"),
    ("/s/empty_channel", "Telegram preview of a channel without posts"),
    ("/s/private_group", "A Telegram group without a public preview (redirects to its info page)"),
    ("/feed/", "Safar Bulletin, with its RSS feed /feed.xml and Atom feed /atom.xml"),
    ("/sitemap.xml", "The sitemap index (the only way to /pages/...)"),
    ("/js/", "Caravan Live: a listing that needs JavaScript and scrolling"),
)
_TEST_PAGES = (
    ("/bad/malformed", "broken HTML"),
    ("/bad/charset", "windows-1256 text with a wrong charset header"),
    ("/bad/binary", "binary bytes served as text/html"),
    ("/bad/huge", "a multi-megabyte page"),
    ("/bad/slow", "a page that answers late"),
    ("/bad/drift/", "the forum listing after a redesign"),
)


def robots_txt(base: str) -> str:
    return f"User-agent: *\nDisallow: /private/\n\nSitemap: {base}/sitemap.xml\n"


def home_page() -> str:
    sources = "\n".join(
        f'<li><a href="{esc(href)}">{esc(href)}</a> &ndash; {esc(what)}</li>' for href, what in _SOURCES
    )
    tests = "\n".join(
        f'<li><a href="{esc(href)}">{esc(href)}</a> &ndash; {esc(what)}</li>' for href, what in _TEST_PAGES
    )
    main = f"""<h1>smokkelradar demo web</h1>
<p>Local copies of the kinds of public sources smokkelradar monitors. Every advert here was
written for this demo; no person, number or handle is real.</p>
<h2>Sources</h2>
<ul class="sources">
{sources}
</ul>
<h2>Pages for crawler tests</h2>
<ul class="test-pages">
{tests}
<li><code>/redirect?to=URL</code> &ndash; a 302 to any URL</li>
</ul>
<p><a href="/robots.txt">robots.txt</a></p>"""
    return html_page(DEMO, "Home", main, body_class="home")


def about_page() -> str:
    main = """<h1>About Caravan Board</h1>
<p>Caravan Board is a free classifieds board for travellers, workers and families abroad.
Posting is free. We remove adverts that break our rules.</p>
<h2 id="advertise">Advertise with us</h2>
<p>Banner places in the sidebar are available per week.</p>"""
    return html_page(FORUM, "About", main, body_class="static-page")


def contact_page() -> str:
    main = """<h1>Contact</h1>
<form class="contact-form" action="/contact" method="post">
<label>Your message <textarea name="message"></textarea></label>
<button type="submit">Send</button>
</form>"""
    return html_page(FORUM, "Contact", main, body_class="static-page")


def private_page() -> str:
    main = "<h1>Members only</h1><p>Log in to see the members' area.</p>"
    return html_page(FORUM, "Members only", main, body_class="private")
