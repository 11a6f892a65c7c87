"""The node's configuration directory (ES_PATH_CONF), written fresh on every start.

We point Elasticsearch at ``<data-dir>/config`` instead of editing the distribution's own
``config/``: the distribution stays as Maven delivered it, and several nodes can share it.
``jvm.options`` and ``log4j2.properties`` are copied from the distribution; relative paths in
``jvm.options`` are made absolute because they would otherwise resolve against the JVM's
working directory, which the unprivileged user may not be able to write.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from indexer.node.settings import HOST, NodeSettings

HEAP_OPTIONS_FILE = "smokkelradar-heap.options"


def render_elasticsearch_yml(settings: NodeSettings) -> str:
    """elasticsearch.yml for a single node bound to 127.0.0.1 only, without security."""
    values: list[tuple[str, object]] = [
        ("cluster.name", settings.cluster_name),
        ("node.name", settings.node_name),
        ("network.host", HOST),
        ("http.port", settings.http_port),
        ("transport.port", settings.transport_port),
        ("discovery.type", "single-node"),
        # Development node on loopback only; production clusters keep security on.
        ("xpack.security.enabled", False),
        ("path.data", str(settings.indices_dir)),
        ("path.logs", str(settings.logs_dir)),
        # A nearly full developer disk must not silently stop shard allocation (health red).
        ("cluster.routing.allocation.disk.threshold_enabled", False),
        # Each search on the thread that took it, not split into tasks (NodeSettings says why).
        ("search.worker_threads_enabled", settings.search_worker_threads),
    ]
    lines = ["# Written by smokkelradar (indexer/node/config_files.py) on every start; edits are lost."]
    # JSON scalars are valid YAML and quote paths with spaces or colons safely.
    lines += [f"{key}: {json.dumps(value)}" for key, value in values]
    return "\n".join(lines) + "\n"


def rewrite_jvm_options(text: str, settings: NodeSettings) -> str:
    """Point the distribution's relative log, error-file and heap-dump paths into the data directory."""
    logs = settings.logs_dir.as_posix()
    rewritten: list[str] = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            line = re.sub(r"-XX:HeapDumpPath=\S+", f"-XX:HeapDumpPath={logs}", line)
            line = re.sub(r"-XX:ErrorFile=logs/", f"-XX:ErrorFile={logs}/", line)
            line = re.sub(r"file=logs/", f"file={logs}/", line)
        rewritten.append(line)
    return "\n".join(rewritten) + "\n"


def render_heap_options(settings: NodeSettings) -> str:
    """A jvm.options.d file fixing the heap, so ES_JAVA_OPTS in the caller's shell cannot change it."""
    return f"# Written by smokkelradar on every start.\n-Xms{settings.heap_min}\n-Xmx{settings.heap_max}\n"


def write_config(settings: NodeSettings, distribution: Path) -> None:
    """Create the node's directories and (re)write its configuration files."""
    for directory in (settings.config_dir, settings.indices_dir, settings.logs_dir, settings.tmp_dir):
        directory.mkdir(parents=True, exist_ok=True)
    source = distribution / "config"
    options_dir = settings.config_dir / "jvm.options.d"
    options_dir.mkdir(exist_ok=True)
    shutil.copyfile(source / "log4j2.properties", settings.config_dir / "log4j2.properties")
    jvm_options = (source / "jvm.options").read_text(encoding="utf-8")
    (settings.config_dir / "jvm.options").write_text(
        rewrite_jvm_options(jvm_options, settings), encoding="utf-8"
    )
    (options_dir / HEAP_OPTIONS_FILE).write_text(render_heap_options(settings), encoding="utf-8")
    (settings.config_dir / "elasticsearch.yml").write_text(
        render_elasticsearch_yml(settings), encoding="utf-8"
    )
