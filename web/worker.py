"""One worker process of ``smokkelradar web --workers N``: serves the connections its supervisor hands it.

The supervisor (``web.supervisor``) accepts every connection on the listening port and passes it
to a worker over a Unix socket pair (``SCM_RIGHTS``). The worker never listens itself: it reads
the connections from that channel and runs each through uvicorn exactly as uvicorn would after an
``accept()`` (same HTTP protocol, TLS, proxy headers, graceful stop). The channel also tells each
side that the other is gone: the worker stops when the supervisor's end closes, and the
supervisor sees a dead worker as the end of its channel.

Started by the supervisor as ``python -m web.worker CHANNEL_FD OPTIONS_JSON``; the app itself is
described by ``SMOKKELRADAR_WEB`` in the environment (``web.serve``).
"""

from __future__ import annotations

import asyncio
import socket
import sys

import uvicorn

from web.serve import ServerOptions, uvicorn_config
from web.supervisor import READY

MAX_FDS = 16  # file descriptors one message may carry (the supervisor sends one)


class HandedServer(uvicorn.Server):
    """uvicorn's server fed with connections received on ``channel`` instead of a listening socket."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.pending: set[asyncio.Task[object]] = set()  # TLS handshakes under way

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        # No listening socket: uvicorn then starts its lifespan and protocol set-up only.
        await super().startup(sockets=[])
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive)
        self.channel.send(READY)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self.channel.fileno())
        for task in self.pending:
            task.cancel()
        await super().shutdown(sockets=sockets)

    def _protocol(self) -> asyncio.Protocol:
        # The same protocol object uvicorn builds for a connection it accepted itself.
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
            _loop=asyncio.get_running_loop(),
        )

    def _receive(self) -> None:
        """Take every connection waiting on the channel (called by the loop when it is readable)."""
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.channel, 1, MAX_FDS)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, fds = b"", []
            if not data:  # the supervisor's end is closed: it is gone, so stop like on Ctrl-C
                asyncio.get_running_loop().remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                self._take(socket.socket(fileno=fd))

    def _take(self, connection: socket.socket) -> None:
        if self.should_exit:  # stopping: a connection handed over meanwhile is closed unanswered
            connection.close()
            return
        loop = asyncio.get_running_loop()
        task = loop.create_task(loop.connect_accepted_socket(self._protocol, connection, ssl=self.config.ssl))
        self.pending.add(task)
        task.add_done_callback(self._served)

    def _served(self, task: asyncio.Task[object]) -> None:
        self.pending.discard(task)
        if not task.cancelled():
            task.exception()  # read, so asyncio does not log it: a client that left mid-handshake


def main(argv: list[str]) -> None:
    channel = socket.socket(fileno=int(argv[0]))
    channel.set_inheritable(False)  # a process the app starts must not keep the channel open
    options = ServerOptions.from_json(argv[1])
    HandedServer(uvicorn_config(options), channel).run()


if __name__ == "__main__":
    main(sys.argv[1:])
