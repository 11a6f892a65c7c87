"""The drain's sender threads take turns: their bulk requests never overlap (indexer.bulk)."""

from __future__ import annotations

import threading
import time
from typing import Any

from indexer.bulk import OneRequestAtATime


class Recorder:
    """Stands in for the client behind the gate and records how many requests overlap."""

    def __init__(self, shared: dict[str, int] | None = None) -> None:
        self.shared = shared if shared is not None else {"now": 0, "most": 0, "calls": 0}
        self.marked: object = None

    def options(self, **settings: Any) -> Recorder:
        return Recorder(self.shared)  # a copy, as Elasticsearch.options() returns

    def bulk(self, **request: Any) -> dict[str, Any]:
        self.shared["now"] += 1
        self.shared["most"] = max(self.shared["most"], self.shared["now"])
        time.sleep(0.002)  # a request in flight: the other sender gets the GIL meanwhile
        self.shared["calls"] += 1
        self.shared["now"] -= 1
        return {"operations": request["operations"]}


def test_copies_share_the_turns_and_requests_never_overlap() -> None:
    inner = Recorder()
    gated: Any = OneRequestAtATime(inner)  # type: ignore[arg-type]

    def send(number: int) -> None:
        copy: Any = gated.options()  # what streaming_bulk does first
        for _ in range(20):
            assert copy.bulk(operations=[number]) == {"operations": [number]}

    senders = [threading.Thread(target=send, args=(n,)) for n in range(3)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()

    assert inner.shared["calls"] == 60
    assert inner.shared["most"] == 1


def test_attributes_are_the_clients() -> None:
    inner = Recorder()
    copy: Any = OneRequestAtATime(inner).options()  # type: ignore[arg-type]

    copy.marked = "bulk helper"  # streaming_bulk marks its copy this way (client meta header)

    assert copy.shared is inner.shared
    assert copy.marked == "bulk helper"
