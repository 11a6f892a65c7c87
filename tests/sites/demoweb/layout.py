"""The page shell (head, header, navigation, sidebar, footer) shared by the demo's web sites.

The demo web hosts a few small "sites" under one address; each has its own name and
navigation, as a crawler would meet them on different hosts. Only the forum has a sidebar
with its own adverts, as classified boards do.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.sites.demoweb.textmarkup import esc


@dataclass(frozen=True)
class Site:
    name: str
    home: str
    nav: tuple[tuple[str, str], ...]
    sidebar: bool = False


FORUM = Site(
    "Caravan Board",
    "/forum/",
    (("/forum/", "Classifieds"), ("/forum/?page=1", "Newest"), ("/about", "About"), ("/contact", "Contact")),
    sidebar=True,
)
NEWS = Site("Safar Bulletin", "/feed/", (("/feed/", "Latest"), ("/feed.xml", "RSS"), ("/atom.xml", "Atom")))
PAGES = Site("Rahnama Services", "/", (("/about", "About us"), ("/contact", "Contact")))
LIVE = Site("Caravan Live", "/js/", (("/js/", "Live board"), ("/forum/", "Classifieds")))
DEMO = Site("smokkelradar demo web", "/", (("/", "Home"), ("/about", "About"), ("/contact", "Contact")))

_SIDEBAR = """<aside class="sidebar">
  <section class="categories"><h3>Categories</h3>
    <ul><li><a href="/forum/?cat=travel">Travel &amp; transport</a></li>
    <li><a href="/forum/?cat=work">Work</a></li>
    <li><a href="/forum/?cat=housing">Housing</a></li>
    <li><a href="/forum/?cat=services">Services</a></li></ul>
  </section>
  <section class="site-ad sponsored"><span class="ad-label">Sponsored</span>
    <a href="/about#advertise">Learn Dutch online: first lesson free! Certified teachers, evening classes.</a>
  </section>
  <section class="site-ad sponsored"><span class="ad-label">Sponsored</span>
    <a href="/about#advertise">Cheap calls to 120 countries: 1 cent/min. No contract.</a>
  </section>
  <section class="rules"><h3>Posting rules</h3>
    <p>One advert per person per day. No spam. Be respectful.</p></section>
</aside>"""


def html_page(
    site: Site, title: str, main: str, *, head: str = "", body_class: str = "", scripts: tuple[str, ...] = ()
) -> str:
    """A complete page of ``site``; ``main`` must already be escaped markup."""
    nav = " ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in site.nav)
    script_tags = "".join(f'\n<script src="{esc(src)}" defer></script>' for src in scripts)
    sidebar = "\n" + _SIDEBAR if site.sidebar else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} | {esc(site.name)}</title>
<link rel="stylesheet" href="/static/site.css">{head}{script_tags}
</head>
<body class="{esc(body_class)}">
<header class="site-header">
  <a class="logo" href="{esc(site.home)}">{esc(site.name)}</a>
  <nav class="main-nav">{nav}</nav>
</header>
<div class="layout">
<main class="content">
{main}
</main>{sidebar}
</div>
<footer class="site-footer">&copy; 2026 {esc(site.name)} &middot; <a href="/about">About</a> &middot;
<a href="/contact">Contact</a> &middot; <a href="/sitemap.xml">Sitemap</a></footer>
</body>
</html>
"""
