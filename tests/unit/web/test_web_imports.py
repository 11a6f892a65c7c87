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


def test_each_web_worker_starts_without_spacy() -> None:
    # spaCy (about 0.5 s and 50 MB per worker process) is loaded only when an analyst tests,
    # back-tests or re-enriches; the workbench pages themselves import without it.
    probe = "import json, sys\nimport web.app\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout)

    assert "web.routes.workbench" in loaded and "workbench.diff" in loaded and "nlp.version" in loaded
    assert [m for m in loaded if m.split(".")[0] == "spacy"] == []
