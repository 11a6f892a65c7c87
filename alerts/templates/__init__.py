"""Jinja2 templates of the alert mails (a package so that setuptools ships the .j2 files)."""
