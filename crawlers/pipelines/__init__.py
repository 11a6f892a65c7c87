"""Item pipelines, one per concern: enrich, evidence, spool (in that order; see crawlers.settings)."""
