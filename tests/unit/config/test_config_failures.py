"""One broken fixture per failure mode, each with the exact message it must produce.

Messages are compared whole, file and line included, from the repository root (the paths
are printed relative to the working directory). Fixtures live in fixtures/ (see its README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.config.loader import check_paths, load_config
from radar.config.problems import ConfigError
from radar.errors import Code

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path("tests/unit/config/fixtures")


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SMOKKELRADAR_FIXTURE_UNSET_HOST", raising=False)


def messages(path: Path) -> list[str]:
    return [str(problem) for problem in check_paths([path])]


def test_valid_fixture_is_valid() -> None:
    assert messages(FIXTURES / "valid") == []
    config = load_config(FIXTURES / "valid" / "radar.yaml")
    assert set(config.sources) == {"test-forum", "test-channel"}


def test_unknown_key() -> None:
    assert messages(FIXTURES / "unknown_key/sources/forum.yaml") == [
        "tests/unit/config/fixtures/unknown_key/sources/forum.yaml:9: sources[0].selectors.fields.titel: "
        "unknown key 'titel' (did you mean 'title'?)"
    ]


def test_wrong_type() -> None:
    assert messages(FIXTURES / "wrong_type/sources/forum.yaml") == [
        "tests/unit/config/fixtures/wrong_type/sources/forum.yaml:10: sources[0].max_pages: "
        "expected a whole number, got 'ten'"
    ]


def test_bad_regex() -> None:
    assert messages(FIXTURES / "bad_regex/sources/forum.yaml") == [
        "tests/unit/config/fixtures/bad_regex/sources/forum.yaml:12: sources[0].allow[1]: "
        "bad regular expression '/forum/(page|thread': missing ), unterminated subpattern at position 7"
    ]


def test_missing_files_named_in_radar_yaml() -> None:
    assert messages(FIXTURES / "missing_file/radar.yaml") == [
        "tests/unit/config/fixtures/missing_file/radar.yaml:4: elasticsearch.ca_certs: "
        "file not found: tests/unit/config/fixtures/missing_file/certs/missing-ca.pem",
        "tests/unit/config/fixtures/missing_file/radar.yaml:16: paths.sources: "
        "folder not found: tests/unit/config/fixtures/missing_file/no-such-folder",
    ]


def test_duplicate_source_name_across_files() -> None:
    assert messages(FIXTURES / "duplicate_source") == [
        "tests/unit/config/fixtures/duplicate_source/sources/b_more_feeds.yaml:6: sources[1].name: "
        "duplicate source name 'test-feed': also defined at "
        "tests/unit/config/fixtures/duplicate_source/sources/a_feeds.yaml:2"
    ]


def test_secrets_in_yaml_name_the_environment_variable() -> None:
    assert messages(FIXTURES / "secret/radar.yaml") == [
        "tests/unit/config/fixtures/secret/radar.yaml:7: elasticsearch.auth.password: secrets must not be "
        "written in YAML: remove 'password' and set the environment variable SMOKKELRADAR_ES_PASSWORD",
        "tests/unit/config/fixtures/secret/radar.yaml:13: smtp.smtp_password: secrets must not be "
        "written in YAML: remove 'smtp_password' and set the environment variable SMOKKELRADAR_SMTP_PASSWORD",
    ]


def test_yaml_syntax_error() -> None:
    assert messages(FIXTURES / "yaml_syntax/sources/forum.yaml") == [
        "tests/unit/config/fixtures/yaml_syntax/sources/forum.yaml:6: YAML syntax error: "
        "expected ',' or ']', but got ':' (while parsing a flow sequence that starts at line 5)"
    ]


def test_unset_environment_variable() -> None:
    assert messages(FIXTURES / "unset_var/sources/forum.yaml") == [
        "tests/unit/config/fixtures/unset_var/sources/forum.yaml:6: sources[0].start_urls[0]: "
        "environment variable SMOKKELRADAR_FIXTURE_UNSET_HOST is not set (used here as ${FIXTURE_UNSET_HOST})"
    ]


def test_set_environment_variable_is_filled_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_FIXTURE_UNSET_HOST", "http://127.0.0.1:8080")
    assert messages(FIXTURES / "unset_var/sources/forum.yaml") == []


def test_references_to_undefined_proxy_and_source() -> None:
    assert messages(FIXTURES / "references") == [
        "tests/unit/config/fixtures/references/alerts/watch.yaml:5: searches[0].filters.source[1]: "
        "no source named 'test-forum' in the sources folder",
        "tests/unit/config/fixtures/references/sources/feeds.yaml:5: sources[0].proxy: "
        "no proxy named 'vpn' under proxies in radar.yaml (tor)",
    ]


MANY = "tests/unit/config/fixtures/many_errors"


def test_all_errors_of_all_files_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(FIXTURES / "many_errors/radar.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{MANY}/alerts/watch.yaml:7: searches[0].filters.country[0]: "
        "expected a value such as 'LY', got 'LBY'",
        f"{MANY}/alerts/watch.yaml:8: searches[0].cadence: expected 'immediate', 'hourly', 'daily at HH:MM', "
        "'weekly' or 'weekly on <day> at HH:MM', got 'fortnightly'",
        f"{MANY}/alerts/watch.yaml:9: searches[0].language: expected 'nl' or 'en', got 'de'",
        f"{MANY}/radar.yaml:5: elasticsearch.auth.kind: expected 'none', 'basic' or 'api_key', got 'bearer'",
        f"{MANY}/radar.yaml:8: smtp.port: must be less than or equal to 65535, got 25000000",
        f"{MANY}/radar.yaml:11: mdt_mailbox: expected a mail address such as 'mdt@example.org', "
        "got 'mdt-at-test.invalid'",
        f"{MANY}/radar.yaml:14: timezone: unknown time zone 'Europe/Amsterdamm'; use a name such as "
        "'Europe/Amsterdam'",
        f"{MANY}/sources/mixed.yaml:3: sources[0].kind: unknown kind 'forum'; expected one of listing, "
        "telegram, feed, sitemap, rendered",
        f"{MANY}/sources/mixed.yaml:8: sources[1].start_urls[0]: expected an http:// or https:// URL with "
        "a host, got 'ftp://127.0.0.1/js/'",
        f"{MANY}/sources/mixed.yaml:9: sources[1].wait_for: bad CSS selector 'div.advert[': "
        "Expected ident or '*', got <EOF at 11>",
        f"{MANY}/sources/mixed.yaml:14: sources[1].robots: obey is false, so 'reason' is required: "
        "say why this source may ignore robots.txt",
        f"{MANY}/sources/mixed.yaml:17: sources[1].schedule.every: expected a duration such as '90s', "
        "'30m', '6h' or '1d', got 'often'",
        f"{MANY}/sources/mixed.yaml:19: sources[2].kind: required key is missing "
        "(one of listing, telegram, feed, sitemap, rendered)",
    ]
    codes = [problem.code for problem in raised.value.problems]
    assert codes.count(Code.CONFIG_WRONG_TYPE) == 3  # language, auth.kind, source kind
    assert Code.CONFIG_BAD_SELECTOR in codes
    # The error itself reads as a report: code, count, then one problem per line.
    assert str(raised.value).startswith("SR-E100: the configuration has 13 problems:\n  ")


def test_codes_per_failure_mode() -> None:
    cases = {
        "unknown_key/sources/forum.yaml": Code.CONFIG_UNKNOWN_KEY,
        "wrong_type/sources/forum.yaml": Code.CONFIG_WRONG_TYPE,
        "bad_regex/sources/forum.yaml": Code.CONFIG_BAD_REGEX,
        "missing_file/radar.yaml": Code.CONFIG_MISSING_FILE,
        "duplicate_source": Code.CONFIG_DUPLICATE_NAME,
        "secret/radar.yaml": Code.CONFIG_SECRET_IN_YAML,
        "yaml_syntax/sources/forum.yaml": Code.CONFIG_YAML_SYNTAX,
        "unset_var/sources/forum.yaml": Code.CONFIG_MISSING_ENV,
        "references": Code.CONFIG_UNKNOWN_REFERENCE,
    }
    found = {name: {p.code for p in check_paths([FIXTURES / name])} for name in cases}
    assert found == {name: {code} for name, code in cases.items()}


def test_missing_path_on_the_command_line() -> None:
    assert messages(FIXTURES / "no-such-file.yaml") == [
        "tests/unit/config/fixtures/no-such-file.yaml: file or folder not found"
    ]


def test_duplicate_names_among_files_checked_on_their_own() -> None:
    # The same two files, checked as a folder rather than through radar.yaml.
    assert [p.code for p in check_paths([FIXTURES / "duplicate_source/sources"])] == [
        Code.CONFIG_DUPLICATE_NAME
    ]
