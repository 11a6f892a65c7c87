"""spaCy enrichment pipeline: normalization, language, places, prices, documents, contacts, score."""
