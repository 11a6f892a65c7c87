"""Downloader middlewares: SSRF guard, per-source proxy, conditional requests, retry with backoff."""
