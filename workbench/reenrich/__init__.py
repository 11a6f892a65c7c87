"""Re-tagging indexed adverts after a keyword change: ``run`` (the pages), ``checkpoint`` (resuming),
``backfill`` (alerts for adverts that newly match a saved search, once)."""
