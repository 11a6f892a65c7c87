"""The supervisor when ``accept`` fails (out of file descriptors): it pauses instead of spinning.

The pending connection keeps the listening socket readable, so a supervisor that simply tried again
at the next wake-up would go round its loop at full speed for as long as the process has no
descriptor left. The failure here is the kernel's own: the test lowers this process's descriptor
limit to the descriptors already open.
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from web.serve import ServerOptions, listen
from web.supervisor import TICK_S, Supervisor, Worker


@contextlib.contextmanager
def no_descriptor_left() -> Iterator[None]:
    """Until the block ends, opening any file or socket in this process fails with EMFILE."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    highest = max(int(path.name) for path in Path("/proc/self/fd").iterdir())
    fillers: list[int] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, hard))
    try:
        while True:  # fill the holes below the limit
            try:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
            except OSError as error:
                assert error.errno == errno.EMFILE
                break
        yield
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_failed_accept_pauses_listening_for_a_tick_then_resumes() -> None:
    listener = listen("127.0.0.1", 0)
    listener.setblocking(False)  # as Supervisor.run sets it
    ours, theirs = socket.socketpair()
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    supervisor = Supervisor(listener, 1, ServerOptions())
    supervisor.workers[0] = Worker(0, process, ours, ready=True)
    try:
        supervisor._listen_if_any_ready()
        assert supervisor._watching()
        with socket.create_connection(listener.getsockname()):
            with no_descriptor_left():
                supervisor._accept()  # the kernel refuses: no descriptor for the connection
            assert not supervisor._watching(), "the listener must not wake the loop again at once"
            assert supervisor._accept_paused_until > time.monotonic()
            time.sleep(TICK_S + 0.05)
            supervisor._listen_if_any_ready()
            assert supervisor._watching(), "accepting resumes after the pause"
            supervisor._accept()  # now the waiting connection is taken and handed to the worker
            received = socket.recv_fds(theirs, 1, 1)
            assert len(received[1]) == 1
            os.close(received[1][0])
    finally:
        process.wait()
        supervisor._selector.close()
        for sock in (listener, ours, theirs, *supervisor._wake):
            sock.close()
