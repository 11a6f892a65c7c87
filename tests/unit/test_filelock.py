"""The shared file lock: exclusive across processes, names its holder, released on crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from radar.errors import Code, RadarError
from radar.filelock import exclusive_lock


def _busy(holder: str) -> RadarError:
    return RadarError(Code.INDEX_BUSY, f"busy: {holder}")


def test_second_process_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    lock = tmp_path / "writer.lock"
    with exclusive_lock(lock, "drain by pid 1", wait_seconds=0, busy=_busy):
        probe = (
            "import sys; from pathlib import Path\n"
            "from radar.filelock import exclusive_lock\n"
            "from radar.errors import Code, RadarError\n"
            "try:\n"
            f"    with exclusive_lock(Path({str(lock)!r}), 'other', wait_seconds=0.2,\n"
            "                        busy=lambda h: RadarError(Code.INDEX_BUSY, h)):\n"
            "        sys.exit(0)\n"
            "except RadarError as e:\n"
            "    print(e.message); sys.exit(3)\n"
        )
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert result.returncode == 3
    assert result.stdout.strip() == "drain by pid 1"
    with exclusive_lock(lock, "next", wait_seconds=0, busy=_busy):  # free again
        pass


def test_lock_of_a_killed_holder_is_free(tmp_path: Path) -> None:
    lock = tmp_path / "writer.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; from radar.filelock import exclusive_lock\n"
            f"with exclusive_lock(Path({str(lock)!r}), 'dying', wait_seconds=0, busy=RuntimeError):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with (
        pytest.raises(RadarError, match="busy: dying"),
        exclusive_lock(lock, "me", wait_seconds=0, busy=_busy),
    ):
        pass
    holder.kill()
    holder.wait()
    holder.stdout.close()
    with exclusive_lock(lock, "me", wait_seconds=1, busy=_busy):
        assert lock.read_text() == "me"
