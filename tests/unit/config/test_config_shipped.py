"""Every configuration file shipped in config/ validates, production and demo alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.config.loader import check_paths, load_config, load_config_problems
from radar.errors import Code

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "config"
DEMO_WEB = "http://127.0.0.1:8123"
SHIPPED = sorted(p for pattern in ("*.yaml", "*.yml") for p in CONFIG.rglob(pattern))


@pytest.fixture(autouse=True)
def _demo_web(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", DEMO_WEB)


def test_config_folder_ships_files() -> None:
    names = {p.relative_to(CONFIG).as_posix() for p in SHIPPED}
    assert {"radar.yaml", "demo/radar.yaml"} <= names
    assert any(name.startswith("sources/") for name in names)
    assert any(name.startswith("alerts/") for name in names)
    assert sum(name.startswith("demo/sources/") for name in names) >= 5


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(CONFIG).as_posix())
def test_each_shipped_file_validates(path: Path) -> None:
    assert [str(problem) for problem in check_paths([path])] == []


def test_production_config_loads_with_everything_it_names() -> None:
    config = load_config(CONFIG / "radar.yaml")
    assert config.root == CONFIG
    assert config.radar.timezone == "Europe/Amsterdam"
    assert config.radar.elasticsearch.url.startswith("https://")
    assert not config.radar.elasticsearch.local_node.enabled
    assert config.radar.allowed_addresses == ()
    assert set(config.keywords) == {p.stem for p in (CONFIG / "keywords").glob("*.yaml")}
    assert {source.kind for source in config.sources.values()} == {
        "listing",
        "telegram",
        "feed",
        "sitemap",
        "rendered",
    }
    # The production examples are templates: nothing is crawled until an analyst enables it.
    assert config.enabled_sources() == []
    # Saved searches that name no recipients mail the MDT mailbox.
    assert config.radar.mdt_mailbox == "mdt-mensensmokkel@mdt.example"
    assert config.recipients_for(config.alerts["libya-italy-sea"]) == ("mdt-mensensmokkel@mdt.example",)


def test_demo_config_runs_everything_on_loopback() -> None:
    config = load_config(CONFIG / "demo" / "radar.yaml")
    radar = config.radar
    assert radar.elasticsearch.url == "http://127.0.0.1:9250"
    assert radar.elasticsearch.local_node.enabled
    assert (radar.smtp.host, radar.smtp.port, radar.smtp.tls, radar.smtp.username) == (
        "127.0.0.1",
        2525,
        "none",
        None,
    )
    assert radar.mdt_mailbox == "mdt@demo.invalid"
    assert radar.address_allowed("127.0.0.1", 8123)
    assert not radar.address_allowed("10.0.0.1", 80)
    assert radar.data.base == REPO / ".data" / "demo"
    assert radar.data.spool == REPO / ".data" / "demo" / "spool"
    assert radar.es_data_dir == REPO / ".data" / "demo" / "elasticsearch"
    # The demo reuses the production vocabulary rather than a copy of it.
    assert radar.paths.keywords == CONFIG / "keywords"
    assert set(config.keywords) == set(load_config(CONFIG / "radar.yaml").keywords)


def test_demo_sources_point_at_the_demo_web() -> None:
    config = load_config(CONFIG / "demo" / "radar.yaml")
    by_kind = {source.kind: source for source in config.enabled_sources()}
    assert set(by_kind) == {"listing", "telegram", "feed", "sitemap", "rendered"}
    listing, telegram, feed = by_kind["listing"], by_kind["telegram"], by_kind["feed"]
    sitemap, rendered = by_kind["sitemap"], by_kind["rendered"]
    assert listing.kind == "listing" and listing.start_urls == (f"{DEMO_WEB}/forum/",)
    assert telegram.kind == "telegram" and telegram.base_url == DEMO_WEB
    assert telegram.channels == ("boza_express", "docs_vip")
    assert telegram.evidence
    assert feed.kind == "feed" and feed.feed_url == f"{DEMO_WEB}/feed.xml"
    assert sitemap.kind == "sitemap" and sitemap.sitemap_url == f"{DEMO_WEB}/sitemap.xml"
    assert rendered.kind == "rendered" and rendered.start_urls == (f"{DEMO_WEB}/js/",)
    assert rendered.evidence


def test_demo_mail_addresses_cannot_reach_anyone() -> None:
    config = load_config(CONFIG / "demo" / "radar.yaml")
    addresses = [config.radar.mdt_mailbox, config.radar.analysts_mailbox, config.radar.smtp.sender]
    addresses += [a for search in config.alerts.values() for a in config.recipients_for(search)]
    assert all(address.endswith(".invalid") for address in addresses), addresses


def test_demo_without_demo_web_variable_names_each_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMOKKELRADAR_DEMO_WEB")
    config, problems = load_config_problems(CONFIG / "demo" / "radar.yaml")
    assert config is None
    assert {problem.code for problem in problems} == {Code.CONFIG_MISSING_ENV}
    assert {problem.file.name for problem in problems} == {
        "feed.yaml",
        "forum.yaml",
        "live.yaml",
        "sitemap.yaml",
        "telegram.yaml",
    }
    assert all("SMOKKELRADAR_DEMO_WEB is not set" in problem.message for problem in problems)


def test_loaded_config_is_read_only_and_survives_pickling() -> None:
    import pickle

    config = load_config(CONFIG / "demo" / "radar.yaml")
    with pytest.raises(TypeError):
        config.sources["extra"] = config.sources["demo-forum"]  # type: ignore[index]
    copy = pickle.loads(pickle.dumps(config))  # noqa: S301 (bytes made one line up)
    assert copy == config
    assert copy.sources["demo-forum"].allow[0].pattern == config.sources["demo-forum"].allow[0].pattern
    with pytest.raises(TypeError):
        copy.alerts["extra"] = copy.alerts["demo-documents"]  # type: ignore[index]
