"""The value types and models behind the YAML: what they accept, what they turn it into, what they refuse."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from ruamel.yaml import YAML

from radar.config.alerts import Cadence, SavedSearch
from radar.config.loader import check_paths
from radar.config.positions import locate
from radar.config.radar import AllowedAddress, RadarConfig
from radar.config.secrets import ES_PASSWORD, SMTP_PASSWORD, is_secret_key, read_secrets
from radar.config.sources import SourceFile
from radar.config.types import Selector, parse_duration
from radar.errors import Code, RadarError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("1h30m", 5400), ("2d", 172800), ("1w", 604800), ("500ms", 0.5), (45, 45)],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["often", "5 parsecs", "", "m30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration such as"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "kind", "at", "weekday"),
    [
        ("immediate", "immediate", None, None),
        ("hourly", "hourly", None, None),
        ("daily at 07:30", "daily", time(7, 30), None),
        ("Daily  at 7:05", "daily", time(7, 5), None),
        ("daily", "daily", time(8, 0), None),
        ("weekly", "weekly", time(8, 0), 0),
        ("weekly on friday at 16:00", "weekly", time(16, 0), 4),
    ],
)
def test_cadence_is_parsed_into_a_typed_object(
    text: str, kind: str, at: time | None, weekday: int | None
) -> None:
    cadence = Cadence.model_validate(text)
    assert (cadence.kind, cadence.at, cadence.weekday) == (kind, at, weekday)


@pytest.mark.parametrize(
    "text", ["fortnightly", "hourly at 07:00", "daily on monday", "daily at 24:00", "weekly on funday"]
)
def test_bad_cadences(text: str) -> None:
    with pytest.raises(ValidationError):
        Cadence.model_validate(text)


def test_cadence_prints_as_written() -> None:
    assert str(Cadence.model_validate("weekly on Friday at 16:00")) == "weekly on friday at 16:00"


def test_selectors_css_by_default_xpath_by_prefix_or_shape() -> None:
    assert Selector.model_validate("a.next::attr(href)").kind == "css"
    assert Selector.model_validate("xpath://a/@href").query == "//a/@href"
    assert Selector.model_validate("(//a)[1]").kind == "xpath"
    assert Selector.model_validate("css:h1::text").to_xpath() == "descendant-or-self::h1/text()"


def test_allowed_addresses() -> None:
    entry = AllowedAddress.model_validate("[::1]:8080")
    assert entry.allows("::1", 8080)
    assert not entry.allows("::1", 8081)
    network = AllowedAddress.model_validate("127.0.0.0/8")
    assert network.allows("127.9.9.9", 1)
    assert not network.allows("10.0.0.1", 1)
    with pytest.raises(ValidationError, match="expected an IP address"):
        AllowedAddress.model_validate("demo.example:80")


@pytest.mark.parametrize(
    "key", ["password", "api_key", "apiKey", "smtpPassword", "client_secret", "token", "auth_token"]
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["username", "tokens", "kind", "passport", "keywords", "api"])
def test_ordinary_keys(key: str) -> None:
    assert not is_secret_key(key)


def _radar(**changes: object) -> RadarConfig:
    data: dict[str, object] = {
        "elasticsearch": {"url": "https://es.example:9200", "auth": {"kind": "basic", "username": "radar"}},
        "smtp": {"host": "smtp.example", "port": 587, "username": "radar", "sender": "radar@example.org"},
        "mdt_mailbox": "mdt@example.org",
        "analysts_mailbox": "analysts@example.org",
        "user_agent": "smokkelradar-test/0.1",
        "data": {"base": "/var/lib/smokkelradar"},
    }
    data.update(changes)
    return RadarConfig.model_validate(data)


def test_read_secrets_names_every_missing_variable() -> None:
    with pytest.raises(RadarError) as raised:
        read_secrets(_radar(), environ={})
    assert raised.value.code is Code.CONFIG_MISSING_ENV
    assert f"{ES_PASSWORD}, {SMTP_PASSWORD}" in raised.value.message


def test_read_secrets_hides_values() -> None:
    secrets = read_secrets(_radar(), environ={ES_PASSWORD: "es-secret", SMTP_PASSWORD: "mail-secret"})
    assert secrets.es_password is not None and secrets.es_password.get_secret_value() == "es-secret"
    assert secrets.es_api_key is None
    assert "es-secret" not in repr(secrets) and "mail-secret" not in repr(secrets)


def test_data_folders_resolve_against_base() -> None:
    radar = _radar(data={"base": "/srv/radar", "spool": "/fast/spool"})
    assert (radar.data.spool, radar.data.evidence) == (Path("/fast/spool"), Path("/srv/radar/evidence"))
    assert radar.es_data_dir == Path("/srv/radar/elasticsearch")


def test_local_node_url_must_match_its_port() -> None:
    with pytest.raises(
        ValidationError, match=re.escape("url must be 'http://127.0.0.1:9250', got 'http://127.0.0.1:9200'")
    ):
        _radar(
            elasticsearch={"url": "http://127.0.0.1:9200", "local_node": {"enabled": True, "http_port": 9250}}
        )


def test_single_values_where_lists_are_expected_and_defaults_per_kind() -> None:
    parsed = SourceFile.model_validate(
        {
            "sources": [
                {"name": "a", "kind": "telegram", "channels": "@boza_express", "languages": "ar"},
                {"name": "b", "kind": "feed", "feed_url": "https://feed.example/rss"},
                {
                    "name": "c",
                    "kind": "sitemap",
                    "sitemap_url": "https://s.example/sitemap.xml",
                    "allow": "/adverts/",
                    "lastmod_since": "30d",
                    "fields": {"body": "article"},
                },
                {
                    "name": "d",
                    "kind": "sitemap",
                    "sitemap_url": "https://s.example/sitemap.xml",
                    "lastmod_since": date(2024, 5, 31),
                    "fields": {"body": "article"},
                },
            ]
        }
    )
    telegram, feed, sitemap, dated = parsed.sources
    assert (
        telegram.kind == "telegram"
        and telegram.channels == ("boza_express",)
        and telegram.languages == ("ar",)
    )
    assert telegram.evidence and not feed.evidence  # evidence is on by default for telegram and rendered only
    assert sitemap.kind == "sitemap" and sitemap.allow == (re.compile("/adverts/"),)
    assert sitemap.lastmod_since == timedelta(days=30)
    assert dated.kind == "sitemap" and dated.lastmod_since == date(2024, 5, 31)


def test_a_saved_search_must_look_for_something() -> None:
    with pytest.raises(ValidationError, match="give a 'query' or at least one filter"):
        SavedSearch.model_validate({"name": "all", "cadence": "hourly"})


def test_locate_skips_union_tags_and_keeps_missing_keys() -> None:
    tree = YAML(typ="rt").load("sources:\n  - name: a\n    kind: listing\n    selectors:\n      fields: {}\n")
    position = locate(tree, SourceFile, ("sources", 0, "listing", "selectors", "fields", "body"))
    assert (position.key_path, position.line) == ("sources[0].selectors.fields.body", 5)
    position = locate(tree, SourceFile, ("sources", 0, "listing", "start_urls"))
    assert (position.key_path, position.line) == ("sources[0].start_urls", 2)


def _check(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return [str(problem) for problem in check_paths([folder / "s.yaml"])]


def test_placeholders_escape_and_slash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_HOST", "http://127.0.0.1:8080/")
    text = (
        "x-fields: &fields {body: 'div.post'}\n"
        "sources:\n"
        "  - name: a\n    kind: listing\n    start_urls: ['${HOST}/forum/']\n"
        "    description: costs $${PRICE}\n"
        "    selectors: {links: 'a::attr(href)', fields: *fields}\n"
    )
    assert _check(tmp_path, text, monkeypatch) == []
    from radar.config.documents import read_document

    data = read_document(tmp_path / "sources" / "s.yaml").data
    assert data["sources"][0]["start_urls"] == ["http://127.0.0.1:8080/forum/"]
    assert data["sources"][0]["description"] == "costs ${PRICE}"


def test_secrets_cannot_come_in_through_placeholders_or_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKKELRADAR_ES_PASSWORD", "hunter2")
    text = (
        "sources:\n"
        "  - name: a\n    kind: feed\n    feed_url: 'https://radar:${ES_PASSWORD}@feed.example/rss'\n"
        "  - name: b\n    kind: feed\n    feed_url: 'https://radar:hunter2@feed.example/rss'\n"
    )
    assert _check(tmp_path, text, monkeypatch) == [
        "sources/s.yaml:4: sources[0].feed_url: secrets must not be put into the configuration through "
        "${ES_PASSWORD}: smokkelradar reads SMOKKELRADAR_ES_PASSWORD itself when it needs it",
        "sources/s.yaml:7: sources[1].feed_url: secrets must not be written in YAML: this URL holds a "
        "password; give the user name separately and the password in the environment",
    ]


def test_yaml_details(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "sources:\n  - name: a\n    kind: feed\n    kind: listing\n"
    assert _check(tmp_path, text, monkeypatch) == [
        "sources/s.yaml:4: YAML syntax error: duplicate key 'kind' (each key may appear once in a mapping)"
    ]


def test_a_sources_file_holding_a_bare_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check(tmp_path, "- name: a\n  kind: feed\n", monkeypatch) == [
        "sources/s.yaml:1: expected a mapping with the list under 'sources:', got a list"
    ]


def test_a_file_of_only_comments_defines_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check(tmp_path, "# sources:\n#   - name: a\n", monkeypatch) == []
