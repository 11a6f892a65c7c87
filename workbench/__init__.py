"""The analysts' workbench: check, try, back-test and roll out keyword configurations.

Everything an analyst does with ``config/keywords`` before and after a change goes live
(docs/workbench.md):

* ``workbench.check``     — schema and semantic checks of keyword files, every problem at file:line;
* ``workbench.marks``     — one text enriched with a keyword file applied, every finding located;
* ``workbench.diff``      — a change back-tested on indexed adverts and on the labelled corpus;
* ``workbench.reenrich``  — re-tag indexed adverts from their stored text, alerting back-fills once;
* ``workbench.labels``    — officers' labels of adverts and the figures on them;
* ``workbench.suggest``   — new vocabulary from recent relevant adverts, and accepting it into a file.

It imports ``nlp``, ``indexer`` and ``alerts``; the CLI and the web app's workbench pages
(``web/routes/workbench*.py``) import it.
"""
