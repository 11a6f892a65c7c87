"""The demo web: a local site serving realistic copies of the public sources smokkelradar
monitors (a classifieds board, Telegram channel previews, RSS/Atom feeds, sitemaps, a
JavaScript listing) filled from the corpus in ``tests/sites/corpus``, plus hooks for tests.

Not an installed package: code outside ``tests`` imports it with the repository root on
``sys.path`` (see ``radar.commands.demo_cmd``).
"""

from tests.sites.demoweb.catalog import SOURCES, TELEGRAM_SOURCES, Placement
from tests.sites.demoweb.corpus import CorpusEntry, CorpusError, default_corpus_files, load_corpus
from tests.sites.demoweb.serve import serve_forever
from tests.sites.demoweb.server import DemoWeb, LoggedRequest

__all__ = [
    "SOURCES",
    "TELEGRAM_SOURCES",
    "CorpusEntry",
    "CorpusError",
    "DemoWeb",
    "LoggedRequest",
    "Placement",
    "default_corpus_files",
    "load_corpus",
    "serve_forever",
]
