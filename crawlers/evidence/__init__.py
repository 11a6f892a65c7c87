"""Evidence: raw responses as WARC records and screenshots, each with SHA-256 and UTC time."""
