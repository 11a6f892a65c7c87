"""Configuration that people edit: one pydantic model per YAML kind, one loader.

Load with ``radar.config.loader.load_config`` (a frozen ``Config``, or one ``ConfigError``
listing every problem as ``file:line: key.path: message``); read secrets with
``radar.config.secrets.read_secrets``. Models: ``radar.py`` (radar.yaml), ``sources.py``,
``keywords.py``, ``alerts.py``. Reference: docs/configuration.md.
"""
