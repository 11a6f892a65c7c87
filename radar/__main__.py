"""``python -m radar`` is the same as the ``smokkelradar`` command."""

from radar.cli import run

run()
