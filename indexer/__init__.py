"""Elasticsearch: local node, mappings, spool, bulk indexing, search, retention."""
