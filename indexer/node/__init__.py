"""The local Elasticsearch 8 node for development, tests and the demo.

Assembled from the genuine distribution on Maven Central plus smokkelradar's own plugin
(``plugin/``), configured per data directory and run as an unprivileged user. Production
uses any Elasticsearch 8 cluster instead; nothing here is used against one.

Modules: ``settings`` (what a node is), ``toolchain`` (Java, Maven), ``distribution`` and
``plugin_build`` (assembly), ``config_files`` (ES_PATH_CONF), ``service_user`` (who runs it),
``launcher`` (start/stop/status/reset), ``http_probe`` and ``proc_info`` (looking at it).
"""

from indexer.node.launcher import NodeStatus, reset, start, status, stop
from indexer.node.settings import ES_VERSION, NodeSettings

__all__ = ["ES_VERSION", "NodeSettings", "NodeStatus", "reset", "start", "status", "stop"]
