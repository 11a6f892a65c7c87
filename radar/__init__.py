"""smokkelradar application shell: configuration, errors, logging, CLI, scheduler."""

__version__ = "0.1.0"
