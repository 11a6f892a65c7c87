"""Elasticsearch: local node, mappings, spool, bulk indexing, near-duplicates, search, retention.

Modules: ``fields`` (the field table every mapping derives from), ``templates`` (names,
template, versioned index behind its alias), ``client`` (the client from radar.yaml),
``settings`` (paths and thresholds from the configuration), ``spool``/``spool_entry`` (the
durable outbox), ``staging`` (what the spool works out at put time), ``serialize`` (JSON),
``document`` (item -> document), ``textfold``/``minhash``/``bands``/``dedup``/``cluster_stats``
(near-duplicate clusters),
``prepare``/``bulk``/``clusters`` (the drain), ``stage`` (the pipeline step),
``query``/``search``/``highlight`` (search API), ``pivot``, ``pins``, ``retention``,
``migrate``, ``locks``; ``node`` runs the local Elasticsearch. Reference: docs/indexing.md.
"""
