"""The error catalogue: every message a user may see, each with a stable code.

Codes are searchable in the docs and in logs (``SR-E101``). Raise ``RadarError``
subclasses with a code from here; never build user-facing text elsewhere.
Codes are never reused: retire one instead of changing what it means.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Stable error codes. The value is what users see and search for."""

    # 1xx: configuration
    CONFIG_INVALID = "SR-E100"
    CONFIG_UNKNOWN_KEY = "SR-E101"
    CONFIG_WRONG_TYPE = "SR-E102"
    CONFIG_BAD_REGEX = "SR-E103"
    CONFIG_MISSING_FILE = "SR-E104"
    CONFIG_DUPLICATE_NAME = "SR-E105"
    CONFIG_SECRET_IN_YAML = "SR-E106"  # noqa: S105 (an error code, not a secret)
    CONFIG_YAML_SYNTAX = "SR-E107"
    CONFIG_MISSING_ENV = "SR-E108"
    CONFIG_BAD_SELECTOR = "SR-E109"
    CONFIG_UNKNOWN_REFERENCE = "SR-E110"
    # 12x: what `smokkelradar keywords check` finds beyond the schema (workbench/)
    KEYWORD_DUPLICATE = "SR-E120"
    KEYWORD_SHADOWED = "SR-E121"
    KEYWORD_NEVER_MATCHES = "SR-E122"
    KEYWORD_SLOW_REGEX = "SR-E123"
    KEYWORD_WEIGHT_RANGE = "SR-E124"
    KEYWORD_UNSUPPORTED_LANGUAGE = "SR-E125"
    # 2xx: the local Elasticsearch node and the cluster
    ES_JAVA_MISSING = "SR-E200"
    ES_FETCH_FAILED = "SR-E201"
    ES_START_TIMEOUT = "SR-E202"
    ES_NOT_RUNNING = "SR-E203"
    ES_UNREACHABLE = "SR-E204"
    ES_EXTERNAL_CLUSTER = "SR-E205"
    ES_START_FAILED = "SR-E206"
    ES_MAVEN_MISSING = "SR-E207"
    ES_PORT_IN_USE = "SR-E208"
    ES_PATH_NOT_ACCESSIBLE = "SR-E209"
    ES_PLUGIN_BUILD_FAILED = "SR-E210"
    ES_SERVICE_USER = "SR-E211"
    ES_NOT_A_NODE_DIR = "SR-E212"
    # 3xx: demo services
    DEMO_PORT_IN_USE = "SR-E300"
    MAILBOX_UNREACHABLE = "SR-E301"
    SERVICE_START_FAILED = "SR-E302"
    DEMO_CORPUS_INVALID = "SR-E303"
    # 23x-24x: indexing and search (indexer/)
    INDEX_ALIAS_CONFLICT = "SR-E230"
    INDEX_BUSY = "SR-E231"
    INDEX_MIGRATION_FAILED = "SR-E232"
    SPOOL_BAD_ITEM = "SR-E233"
    SEARCH_BAD_REQUEST = "SR-E234"
    ADVERT_NOT_FOUND = "SR-E235"
    # 40x: crawling (crawlers/)
    CRAWL_UNKNOWN_SOURCE = "SR-E400"
    CRAWL_WRONG_KIND = "SR-E401"
    CRAWL_SOURCE_BUSY = "SR-E402"
    CRAWL_FAILED = "SR-E403"
    CRAWL_TIMEOUT = "SR-E404"
    EVIDENCE_CHANGED = "SR-E405"
    CRAWL_UNSUPPORTED_PROXY = "SR-E406"
    # 60x: alerts, mail delivery and the scheduler (alerts/, radar/scheduler.py)
    ALERT_MATCH_FAILED = "SR-E600"
    ALERT_UNKNOWN_SEARCH = "SR-E601"
    ALERT_BUSY = "SR-E602"
    ALERT_BAD_WINDOW = "SR-E603"
    SCHEDULER_RUNNING = "SR-E604"
    # 70x: the officers' web app and its accounts (web/)
    WEB_BAD_USER_NAME = "SR-E700"
    WEB_USER_EXISTS = "SR-E701"
    WEB_UNKNOWN_USER = "SR-E702"
    WEB_BAD_ROLE = "SR-E703"
    WEB_WEAK_PASSWORD = "SR-E704"  # noqa: S105 (an error code, not a password)
    WEB_INSECURE_SETUP = "SR-E705"
    WEB_EXPORT_TOO_LARGE = "SR-E706"
    WEB_EVIDENCE_UNAVAILABLE = "SR-E707"
    WEB_AUDIT_TAMPERED = "SR-E708"
    WEB_CANNOT_LISTEN = "SR-E709"
    WEB_WORKER_FAILED = "SR-E710"
    # 80x: the analysts' workbench (workbench/: keywords diff/suggest/accept, reenrich, labels)
    WORKBENCH_GIT_FAILED = "SR-E800"
    WORKBENCH_NO_ADVERTS = "SR-E801"
    REENRICH_BUSY = "SR-E802"
    LABEL_INVALID = "SR-E803"
    KEYWORD_ACCEPT_FAILED = "SR-E804"
    REENRICH_WRITE_FAILED = "SR-E805"


class RadarError(Exception):
    """A failure the user can act on. ``str()`` gives ``SR-Exxx: message``."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
