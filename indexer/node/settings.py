"""What one local Elasticsearch node is: its version, ports, heap and where its files live.

Everything the launcher writes belongs to one data directory, so two nodes (the developer's
``.data/es`` and the tests' ``.data/test-es``) never share a file, and the unpacked
distribution under the cache directory stays exactly as Maven delivered it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ES_VERSION = "8.14.3"
# The genuine server distribution as Elastic publishes it to Maven Central for its own
# integration tests. It lacks some modules; our plugin (indexer/node/plugin) adds back what
# the project uses.
MAVEN_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
PLUGIN_NAME = "smokkelradar-analysis"

DEFAULT_DATA_DIR = Path(".data/es")
DEFAULT_CACHE_DIR = Path(".cache/elasticsearch")
DEFAULT_HTTP_PORT = 9250
# Transport sits this far above HTTP, so 9250 -> 9350 and the test node's 9251 -> 9351.
TRANSPORT_PORT_OFFSET = 100
HOST = "127.0.0.1"


@dataclass(frozen=True)
class NodeSettings:
    """One node's settings; paths are made absolute so the JVM's working directory never matters."""

    data_dir: Path
    http_port: int = DEFAULT_HTTP_PORT
    # 0 means "HTTP port + TRANSPORT_PORT_OFFSET".
    transport_port: int = 0
    cache_dir: Path = DEFAULT_CACHE_DIR
    heap_min: str = "512m"
    heap_max: str = "1g"
    # Elasticsearch 8.14 hands parts of every search to its ``search_worker`` pool: Lucene 9.10
    # looks each query term up in each segment as a task of its own (103 tasks per request of the
    # web API on the 5-segment 1,000,000-advert index) and may split the collection into slices.
    # On a small node that already runs several searches at once that is hand-offs, not
    # parallelism: off, the node spent 0.6-0.9 ms (12-16 %) less CPU per search, with the same
    # answers, and its p95 fell by a fifth (docs/benchmarks.md, issue 7, fifth session).
    search_worker_threads: bool = False
    cluster_name: str = "smokkelradar-local"
    node_name: str = "smokkelradar-local"

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", self.data_dir.absolute())
        object.__setattr__(self, "cache_dir", self.cache_dir.absolute())
        if self.transport_port == 0:
            object.__setattr__(self, "transport_port", self.http_port + TRANSPORT_PORT_OFFSET)
        for port in (self.http_port, self.transport_port):
            if not 1024 <= port <= 65535:
                raise ValueError(f"port {port} is outside 1024-65535")
        if self.http_port == self.transport_port:
            raise ValueError(f"HTTP and transport port are both {self.http_port}")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def config_dir(self) -> Path:
        """ES_PATH_CONF: our own copy of the configuration, rewritten on every start."""
        return self.data_dir / "config"

    @property
    def indices_dir(self) -> Path:
        """path.data: the indices; this is what survives stop/start and what reset wipes."""
        return self.data_dir / "data"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def pidfile(self) -> Path:
        return self.data_dir / "elasticsearch.pid"

    @property
    def launcher_log(self) -> Path:
        """Output of ``bin/elasticsearch -d`` until the node has started."""
        return self.data_dir / "launcher.log"

    @property
    def server_log(self) -> Path:
        return self.logs_dir / f"{self.cluster_name}.log"

    @property
    def state_file(self) -> Path:
        """Marks the directory as a node directory and records the ports of the last start."""
        return self.data_dir / "node.json"

    @property
    def distribution_dir(self) -> Path:
        return self.cache_dir / f"elasticsearch-{ES_VERSION}"
