"""Outgoing connections the crawler makes on its own: through SOCKS and HTTP proxies, and the
guard proxy on 127.0.0.1 that checks every address Chromium or a SOCKS crawl connects to."""
