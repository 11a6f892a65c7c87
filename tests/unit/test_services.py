"""The demo services are derived from radar.yaml; the CLI turns errors into codes, not tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app
from radar.config.loader import load_config
from radar.errors import RadarError
from radar.services import ensure_demo_login, plan

DEMO = Path("config/demo/radar.yaml")


def test_demo_plan_names_every_local_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    wanted = plan(load_config(DEMO).radar, DEMO)
    assert wanted.es_port == 9250
    assert wanted.es_data_dir == Path.cwd() / ".data/demo/elasticsearch"
    assert wanted.mailbox is not None and wanted.mailbox.port == 2525
    assert str(wanted.maildir) in wanted.mailbox.argv
    assert wanted.demo_web is not None and wanted.demo_web.port == 8950
    assert wanted.run_dir == Path.cwd() / ".data/demo/run"
    assert wanted.web_app.port == 8960 and str(DEMO) in wanted.web_app.argv


def test_demo_login_is_created_once_and_kept_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    radar_yaml = tmp_path / "radar.yaml"
    text = DEMO.read_text().replace("base: ../../.data/demo", f"base: {tmp_path / 'data'}")
    text = text.replace("sources: sources", f"sources: {DEMO.parent.resolve() / 'sources'}")
    text = text.replace("keywords: ../keywords", f"keywords: {DEMO.parent.resolve().parent / 'keywords'}")
    radar_yaml.write_text(text.replace("alerts: alerts", f"alerts: {DEMO.parent.resolve() / 'alerts'}"))
    login_file = tmp_path / "data" / "demo-login.txt"
    name, password = ensure_demo_login(radar_yaml, login_file)
    assert (name, password) == ensure_demo_login(radar_yaml, login_file)
    assert login_file.stat().st_mode & 0o077 == 0
    from web.accounts import Accounts
    from web.settings import WebSettings

    accounts = Accounts(WebSettings.from_config(load_config(radar_yaml)).accounts_path)
    assert accounts.authenticate(name, password).outcome == "ok"


def test_demo_web_off_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    radar = load_config(DEMO).radar
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://demo.example:8950")
    with pytest.raises(RadarError, match=r"runs on http://127\.0\.0\.1:<port> only"):
        plan(radar, DEMO)


def test_production_template_starts_nothing_of_ours() -> None:
    wanted = plan(load_config(Path("config/radar.yaml")).radar, Path("config/radar.yaml"))
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


def test_status_and_down_need_only_radar_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `services down` in a plain shell (no SMOKKELRADAR_DEMO_WEB) must still stop what `make run` started.
    monkeypatch.delenv("SMOKKELRADAR_DEMO_WEB", raising=False)
    radar_yaml = tmp_path / "radar.yaml"
    text = DEMO.read_text().replace("base: ../../.data/demo", f"base: {tmp_path / 'data'}")
    text = text.replace("sources: sources", f"sources: {DEMO.parent.resolve() / 'sources'}")
    text = text.replace("keywords: ../keywords", f"keywords: {DEMO.parent.resolve().parent / 'keywords'}")
    radar_yaml.write_text(text.replace("alerts: alerts", f"alerts: {DEMO.parent.resolve() / 'alerts'}"))
    status = CliRunner().invoke(app, ["services", "status", "--config", str(radar_yaml)])
    assert status.exit_code == 0, status.output
    assert re.search(r"demo-web\s+down", status.output)
    down = CliRunner().invoke(app, ["services", "down", "--config", str(radar_yaml)])
    assert down.exit_code == 0, down.output
    assert "stopped" not in down.output  # nothing was running


def test_a_broken_radar_yaml_is_named_by_services_down(tmp_path: Path) -> None:
    radar_yaml = tmp_path / "radar.yaml"
    radar_yaml.write_text(DEMO.read_text() + "\nsurprise: 1\n")
    result = CliRunner().invoke(app, ["services", "down", "--config", str(radar_yaml)])
    assert result.exit_code == 1
    assert f"{radar_yaml}:" in str(result.exception) and "surprise" in str(result.exception)
