"""The web app depends on indexer and alerts, never on the crawlers or Scrapy (imports run one way)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_importing_the_web_app_loads_no_crawler_code() -> None:
    probe = (
        "import json, sys\n"
        "import web.app, radar.commands.web_cmd, radar.commands.users_cmd\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)

    assert "web.app" in loaded and "indexer.search" in loaded and "alerts.ledger" in loaded
    forbidden = [
        m for m in loaded if m.split(".")[0] in ("scrapy", "crawlers", "scrapy_playwright", "twisted")
    ]
    assert forbidden == []
