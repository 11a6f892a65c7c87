"""The writer lock: one drain, migration or retention run at a time, released with the holder."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.locks import writer_lock
from radar.errors import Code, RadarError


def test_a_second_writer_is_refused_naming_the_holder(tmp_path: Path) -> None:
    lock = tmp_path / "indexer.lock"
    with writer_lock(lock, "migrate the index"):
        with (
            pytest.raises(RadarError, match="migrate the index by pid") as raised,
            writer_lock(lock, "index"),
        ):
            pass
        assert raised.value.code == Code.INDEX_BUSY
    with writer_lock(lock, "index the spool"):  # free again once released
        pass
