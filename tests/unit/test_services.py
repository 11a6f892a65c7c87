"""The demo services are derived from radar.yaml; the CLI turns errors into codes, not tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app
from radar.config.loader import load_config
from radar.errors import RadarError
from radar.services import plan

DEMO = Path("config/demo/radar.yaml")


def test_demo_plan_names_every_local_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    wanted = plan(load_config(DEMO).radar)
    assert wanted.es_port == 9250
    assert wanted.es_data_dir == Path.cwd() / ".data/demo/elasticsearch"
    assert wanted.mailbox is not None and wanted.mailbox.port == 2525
    assert str(wanted.maildir) in wanted.mailbox.argv
    assert wanted.demo_web is not None and wanted.demo_web.port == 8950
    assert wanted.run_dir == Path.cwd() / ".data/demo/run"


def test_demo_web_off_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    radar = load_config(DEMO).radar
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://demo.example:8950")
    with pytest.raises(RadarError, match=r"runs on http://127\.0\.0\.1:<port> only"):
        plan(radar)


def test_production_template_starts_nothing_of_ours() -> None:
    wanted = plan(load_config(Path("config/radar.yaml")).radar)
    assert wanted.es_data_dir is None  # an external cluster
    assert wanted.mailbox is None  # a real mail server with TLS


def test_run_with_invalid_config_lists_problems_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMOKKELRADAR_DEMO_WEB", raising=False)
    result = CliRunner().invoke(app, ["run", "--config", str(DEMO)])
    assert result.exit_code == 1
    assert isinstance(result.exception, RadarError)
    assert re.search(
        r"config/demo/sources/forum\.yaml:\d+: sources\[0\]\.start_urls\[0\]: environment variable "
        r"SMOKKELRADAR_DEMO_WEB is not set",
        str(result.exception),
    )
