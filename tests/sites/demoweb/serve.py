"""Run the demo web in the foreground until Ctrl-C or SIGTERM (what ``smokkelradar demo-web`` does)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType

from tests.sites.demoweb.corpus import load_corpus
from tests.sites.demoweb.server import DemoWeb


def serve_forever(
    host: str, port: int, corpus: Iterable[Path | str] | None = None, announce: Callable[[str], None] = print
) -> None:
    """Serve the corpus on ``host:port``; ``announce`` receives the URL once it listens."""
    entries = load_corpus(corpus)
    done = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with DemoWeb(entries, host, port) as demo:
            announce(f"demo web: {demo.url}/ ({len(entries)} entries; Ctrl-C or SIGTERM stops it)")
            try:
                # Wake up now and then: Event.wait without a timeout would not see Ctrl-C promptly.
                while not done.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
