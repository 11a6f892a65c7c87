"""The local node's pure parts: settings, rendered configuration, command lines, /proc parsing.

Nothing here starts Elasticsearch; tests/integration/test_es_node.py does.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from indexer.node.config_files import (
    HEAP_OPTIONS_FILE,
    render_elasticsearch_yml,
    render_heap_options,
    rewrite_jvm_options,
    write_config,
)
from indexer.node.distribution import extract_with_modes, maven_copy_command
from indexer.node.launcher import launch_command, launch_environment, recorded_url, reset
from indexer.node.plugin_build import PLUGIN_SOURCE_DIR, render_descriptor, source_digest
from indexer.node.proc_info import live_node_pid, parse_state, parse_vm_rss, tail
from indexer.node.service_user import can_traverse
from indexer.node.settings import ES_VERSION, NodeSettings
from indexer.node.toolchain import Java, choose_java, java_home_candidates, java_major_version
from radar.cli import app
from radar.errors import Code, RadarError


def settings_in(tmp_path: Path, http_port: int = 9250, transport_port: int = 0) -> NodeSettings:
    return NodeSettings(
        data_dir=tmp_path / "node",
        cache_dir=tmp_path / "cache",
        http_port=http_port,
        transport_port=transport_port,
    )


def test_settings_derive_transport_port_and_absolute_paths(tmp_path: Path) -> None:
    settings = NodeSettings(data_dir=Path("relative/es"), http_port=9251)
    assert settings.transport_port == 9351
    assert settings.data_dir.is_absolute()
    assert settings.config_dir == settings.data_dir / "config"
    assert settings.url == "http://127.0.0.1:9251"
    assert settings.distribution_dir.name == f"elasticsearch-{ES_VERSION}"


@pytest.mark.parametrize(("http_port", "transport_port"), [(80, 0), (9250, 9250), (65500, 0)])
def test_settings_refuse_bad_ports(tmp_path: Path, http_port: int, transport_port: int) -> None:
    with pytest.raises(ValueError, match="port"):
        settings_in(tmp_path, http_port=http_port, transport_port=transport_port)


def test_elasticsearch_yml_binds_loopback_single_node_without_security(tmp_path: Path) -> None:
    settings = NodeSettings(data_dir=tmp_path / "with space: colon", http_port=9252, transport_port=9400)
    parsed = YAML(typ="safe").load(render_elasticsearch_yml(settings))
    assert parsed == {
        "cluster.name": "smokkelradar-local",
        "node.name": "smokkelradar-local",
        "network.host": "127.0.0.1",
        "http.port": 9252,
        "transport.port": 9400,
        "discovery.type": "single-node",
        "xpack.security.enabled": False,
        "path.data": str(tmp_path / "with space: colon" / "data"),
        "path.logs": str(tmp_path / "with space: colon" / "logs"),
        "cluster.routing.allocation.disk.threshold_enabled": False,
        "search.worker_threads_enabled": False,
    }


def test_jvm_options_paths_move_into_the_data_directory(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    original = "\n".join(
        [
            "## heap dumps",
            "# -XX:HeapDumpPath=data",
            "-XX:+HeapDumpOnOutOfMemoryError",
            "-XX:HeapDumpPath=data",
            "-XX:ErrorFile=logs/hs_err_pid%p.log",
            "-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,level,pid,tags:filecount=32,filesize=64m",
        ]
    )
    logs = settings.logs_dir.as_posix()
    assert rewrite_jvm_options(original, settings).splitlines() == [
        "## heap dumps",
        "# -XX:HeapDumpPath=data",
        "-XX:+HeapDumpOnOutOfMemoryError",
        f"-XX:HeapDumpPath={logs}",
        f"-XX:ErrorFile={logs}/hs_err_pid%p.log",
        f"-Xlog:gc*,gc+age=trace,safepoint:file={logs}/gc.log:utctime,level,pid,tags:filecount=32,filesize=64m",
    ]


def test_written_config_files_run_searches_without_worker_threads(tmp_path: Path) -> None:
    distribution = tmp_path / "dist"
    (distribution / "config").mkdir(parents=True)
    (distribution / "config" / "jvm.options").write_text("-XX:+UseG1GC\n-XX:ErrorFile=logs/hs_err.log\n")
    (distribution / "config" / "log4j2.properties").write_text("status = error\n")
    settings = settings_in(tmp_path)
    write_config(settings, distribution)

    written = YAML(typ="safe").load((settings.config_dir / "elasticsearch.yml").read_text())
    assert written["search.worker_threads_enabled"] is False
    assert written["http.port"] == settings.http_port
    heap = (settings.config_dir / "jvm.options.d" / HEAP_OPTIONS_FILE).read_text().splitlines()
    assert heap[1:] == ["-Xms512m", "-Xmx1g"]
    assert (settings.config_dir / "jvm.options").read_text().splitlines() == [
        "-XX:+UseG1GC",
        f"-XX:ErrorFile={settings.logs_dir.as_posix()}/hs_err.log",
    ]

    # A node that should split searches again (many cores, few searches at once) says so.
    threaded = NodeSettings(data_dir=tmp_path / "threaded", search_worker_threads=True)
    write_config(threaded, distribution)
    written = YAML(typ="safe").load((threaded.config_dir / "elasticsearch.yml").read_text())
    assert written["search.worker_threads_enabled"] is True


def test_heap_is_fixed_in_an_options_file(tmp_path: Path) -> None:
    lines = render_heap_options(settings_in(tmp_path)).splitlines()
    assert lines[1:] == ["-Xms512m", "-Xmx1g"]


def test_launch_uses_our_config_dir_and_a_clean_environment(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    java = Java(home=Path("/jdk17"), major=17, banner="openjdk 17")
    distribution = tmp_path / "dist"
    assert launch_command(distribution, settings) == [
        str(distribution / "bin" / "elasticsearch"),
        "-d",
        "-p",
        str(settings.pidfile),
    ]
    environment = launch_environment(settings, java, "/usr/bin:/bin")
    assert environment["ES_PATH_CONF"] == str(settings.config_dir)
    assert environment["ES_JAVA_HOME"] == "/jdk17"
    assert environment["ES_TMPDIR"] == str(settings.tmp_dir)
    assert "ES_JAVA_OPTS" not in environment
    assert "JAVA_TOOL_OPTIONS" not in environment


def test_maven_copies_the_integ_test_zip(tmp_path: Path) -> None:
    command = maven_copy_command(Path("/usr/bin/mvn"), tmp_path)
    assert command[0] == "/usr/bin/mvn"
    assert "dependency:copy" in command
    assert (
        f"-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip" in command
    )
    assert f"-DoutputDirectory={tmp_path}" in command


@pytest.mark.parametrize(
    ("banner", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "25" 2025-09-16', 25),
        ('java version "1.8.0_202"', 8),
        ("no java here", None),
    ],
)
def test_java_major_version(banner: str, major: int | None) -> None:
    assert java_major_version(banner) == major


def test_java_candidates_prefer_es_java_home_then_java_17(tmp_path: Path) -> None:
    for name in ("temurin-25-jdk-amd64", "java-17-openjdk-amd64", "java-11-openjdk-amd64"):
        (tmp_path / name).mkdir()
    candidates = java_home_candidates({"ES_JAVA_HOME": "/opt/es-jdk"}, jvm_root=tmp_path)
    assert candidates[:4] == [
        Path("/opt/es-jdk"),
        tmp_path / "java-17-openjdk-amd64",
        tmp_path / "java-11-openjdk-amd64",
        tmp_path / "temurin-25-jdk-amd64",
    ]


def _jdk(root: Path, name: str, version: str, *, with_javac: bool = True) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2025-01-01' >&2\n")
    java.chmod(0o755)
    for tool in ("javac", "jar") if with_javac else ("jar",):
        (home / "bin" / tool).write_text("#!/bin/sh\n")
    return home


def test_choose_java_skips_versions_elasticsearch_cannot_run_on(tmp_path: Path) -> None:
    too_new = _jdk(tmp_path, "jdk25", "25")
    jre_only = _jdk(tmp_path, "jre17", "17.0.1", with_javac=False)
    good = _jdk(tmp_path, "jdk17", "17.0.15")
    assert choose_java([tmp_path / "missing", too_new, jre_only, good]).home == good


def test_choose_java_explains_what_it_rejected(tmp_path: Path) -> None:
    too_new = _jdk(tmp_path, "jdk25", "25")
    with pytest.raises(RadarError) as caught:
        choose_java([too_new])
    assert caught.value.code is Code.ES_JAVA_MISSING
    assert "Java 25 (Elasticsearch 8.14 needs 17-23)" in str(caught.value)


def test_plugin_descriptor_gets_the_server_version() -> None:
    template = (PLUGIN_SOURCE_DIR / "plugin-descriptor.properties").read_text()
    rendered = render_descriptor(template, es_version="8.14.3", plugin_version="0.1.0")
    properties = dict(
        line.split("=", 1) for line in rendered.splitlines() if line and not line.startswith("#")
    )
    assert properties["elasticsearch.version"] == "8.14.3"
    assert properties["version"] == "0.1.0"
    assert properties["classname"] == "nl.smokkelradar.elasticsearch.SmokkelradarPlugin"
    class_file = PLUGIN_SOURCE_DIR / "src" / Path(*properties["classname"].split("."))
    assert class_file.with_suffix(".java").is_file()


def test_plugin_descriptor_refuses_an_unfilled_placeholder() -> None:
    with pytest.raises(RadarError, match="placeholder"):
        render_descriptor("name=x\nother=@SOMETHING@\n")


def test_plugin_digest_changes_with_the_java_sources(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "plugin"
    shutil.copytree(PLUGIN_SOURCE_DIR, copy)
    before = source_digest(copy)
    assert source_digest(copy) == before
    java_file = next((copy / "src").rglob("*.java"))
    java_file.write_text(java_file.read_text() + "\n// changed\n")
    assert source_digest(copy) != before


def test_unpacking_keeps_modes_and_refuses_escaping_members(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        script = zipfile.ZipInfo("es-1/bin/elasticsearch")
        script.external_attr = (stat.S_IFREG | 0o750) << 16
        bundle.writestr(script, "#!/bin/sh\n")
        bundle.writestr("es-1/lib/a.jar", b"jar")
    with zipfile.ZipFile(buffer) as bundle:
        assert extract_with_modes(bundle, tmp_path / "out") == "es-1"
    mode = (tmp_path / "out" / "es-1" / "bin" / "elasticsearch").stat().st_mode
    assert mode & 0o777 == 0o754  # executable kept, and readable for the service user

    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as bundle:
        bundle.writestr("../escape.txt", "x")
    with zipfile.ZipFile(evil) as bundle, pytest.raises(RadarError, match="outside"):
        extract_with_modes(bundle, tmp_path / "evil")
    assert not (tmp_path / "escape.txt").exists()


def test_proc_parsing() -> None:
    assert parse_state("1234 (java (es) x) S 1 2 3") == "S"
    assert parse_state("99 (zombie) Z 1") == "Z"
    assert parse_vm_rss("Name:\tjava\nVmRSS:\t  716800 kB\nVmSwap: 0 kB\n") == 716800 * 1024
    assert parse_vm_rss("Name:\tkthread\n") is None


def _fake_proc(root: Path, pid: int, state: str, cmdline: bytes) -> None:
    entry = root / str(pid)
    entry.mkdir(parents=True)
    (entry / "stat").write_text(f"{pid} (java) {state} 1 1 1")
    (entry / "cmdline").write_bytes(cmdline)


def test_live_node_pid_ignores_dead_zombie_and_foreign_processes(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    _fake_proc(
        proc, 10, "S", b"java\0-m\0org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch\0"
    )
    _fake_proc(proc, 11, "Z", b"")
    _fake_proc(proc, 12, "S", b"/usr/bin/python3\0server.py\0")
    pidfile = tmp_path / "es.pid"
    for pid, expected in [(10, 10), (11, None), (12, None), (13, None)]:
        pidfile.write_text(f"{pid}\n")
        assert live_node_pid(pidfile, proc) == expected
    pidfile.write_text("garbage")
    assert live_node_pid(pidfile, proc) is None


@pytest.mark.parametrize(
    ("mode", "owner", "group", "allowed"),
    [
        (0o700, 0, 0, False),  # /root or pytest's /tmp/pytest-of-root
        (0o755, 0, 0, True),
        (0o750, 0, 500, True),  # group the service user belongs to
        (0o700, 42, 0, True),  # owned by the service user
        (0o1777, 0, 0, True),  # /tmp
    ],
)
def test_can_traverse(mode: int, owner: int, group: int, allowed: bool) -> None:
    assert can_traverse(stat.S_IFDIR | mode, owner, group, account_uid=42, account_groups={500}) is allowed


def test_tail_gives_the_last_lines_or_says_the_file_is_missing(tmp_path: Path) -> None:
    log = tmp_path / "es.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)))
    assert tail(log, 2) == "line 98\nline 99"
    assert "does not exist" in tail(tmp_path / "missing.log")


def test_reset_refuses_a_directory_that_is_not_a_node(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    settings.data_dir.mkdir()
    precious = settings.data_dir / "thesis.tex"
    precious.write_text("years of work")
    with pytest.raises(RadarError) as caught:
        reset(settings)
    assert caught.value.code is Code.ES_NOT_A_NODE_DIR
    assert precious.exists()


def test_recorded_url_follows_the_last_start(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    assert recorded_url(settings) == "http://127.0.0.1:9250"
    settings.data_dir.mkdir()
    settings.state_file.write_text('{"url": "http://127.0.0.1:9333"}')
    assert recorded_url(settings) == "http://127.0.0.1:9333"


def test_cli_status_of_a_node_that_never_ran_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["es", "status", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "not running" in result.output


def test_cli_lists_the_es_commands() -> None:
    result = CliRunner().invoke(app, ["es", "--help"])
    assert result.exit_code == 0
    for command in ("start", "stop", "status", "reset", "fetch"):
        assert command in result.output
