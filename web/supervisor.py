"""``smokkelradar web --workers N``: one process accepts the connections and deals them out to N workers.

Why not uvicorn's own workers: they share one listening socket, and asyncio accepts every pending
connection in one go in whichever worker wakes first, so a burst of new keep-alive connections
(50 clients starting at once) piles onto one worker; each connection then stays where it landed
for its whole life. Measured on the 1,000,000-advert benchmark, the clients of the busier worker
waited up to five times longer, and p95 moved by 50 ms between runs of the same code
(docs/benchmarks.md, issue 7). A listening socket per worker with ``SO_REUSEPORT`` would spread
connections by a hash of their addresses: even only on average (25 ± 3.5 of 50).

Here the supervisor owns the listening socket, accepts each connection and passes it over a Unix
socket pair (``SCM_RIGHTS``; a stream pair, whose queue holds hundreds of connections where a
datagram pair holds ``net.unix.max_dgram_qlen``, often 10) to the next worker in turn, so N
workers get their connections one by one, evenly. It costs the supervisor an ``accept`` and a
``sendmsg`` per connection, not per request: the requests go straight from the client to the
worker. The supervisor also

- starts the workers (``python -m web.worker``, each in its own process group so that Ctrl-C in
  a terminal reaches only the supervisor, which then stops each worker once, gracefully),
- deals connections only to workers that said they are ready (the kernel keeps new connections
  in the listening backlog while none is),
- starts a new worker when one dies (a dead worker is seen as the end of its channel), and stops
  everything with an error when a worker dies before it ever got ready (a broken configuration
  would otherwise restart forever),
- on SIGINT or SIGTERM stops accepting, asks every worker to finish (SIGTERM: uvicorn's graceful
  stop) and, after ``STOP_TIMEOUT_S``, kills those that have not.
"""

from __future__ import annotations

import contextlib
import selectors
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import FrameType

from radar.errors import Code, RadarError
from radar.logs import get_logger
from web.serve import ServerOptions

log = get_logger("web.supervisor")

READY = b"ready"  # worker -> supervisor: the app is loaded, connections may come
CONNECTION = b"c"  # supervisor -> worker: the byte that carries one connected socket
ACCEPT_BATCH = 64  # connections accepted per wake-up at most, so worker deaths are still noticed
STOP_TIMEOUT_S = 30.0  # graceful stop of the workers before they are killed
TICK_S = 1.0  # how often the supervisor looks at its workers without any other event


@dataclass
class Worker:
    number: int
    process: subprocess.Popen[bytes]
    channel: socket.socket  # the supervisor's end of the socket pair
    ready: bool = False


@dataclass
class Supervisor:
    listener: socket.socket
    count: int
    options: ServerOptions
    workers: dict[int, Worker] = field(default_factory=dict)  # by number, 0 .. count - 1
    stopping: bool = False
    _turn: int = 0  # the worker the next connection goes to (if ready)
    _accept_paused_until: float = 0.0  # after a failed accept (monotonic clock)
    _selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    _wake: tuple[socket.socket, socket.socket] = field(default_factory=socket.socketpair)

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM; raise if a worker cannot start."""
        wake_read, wake_write = self._wake
        wake_read.setblocking(False)
        wake_write.setblocking(False)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        old_wakeup = signal.set_wakeup_fd(wake_write.fileno())  # a signal ends select() at once
        self.listener.setblocking(False)
        self._selector.register(wake_read, selectors.EVENT_READ, "wake")
        try:
            for number in range(self.count):
                self._start(number)
            while not self.stopping:
                for key, _ in self._selector.select(TICK_S):
                    self._handle(key.data)
                self._check_processes()
                self._listen_if_any_ready()  # resumes accepting after a pause
        finally:
            signal.set_wakeup_fd(old_wakeup)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._stop_all()
            self._selector.close()
            wake_read.close()
            wake_write.close()

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.stopping = True

    # ------------------------------------------------------------------ workers

    def _start(self, number: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        command = [sys.executable, "-m", "web.worker", str(theirs.fileno()), self.options.to_json()]
        process = subprocess.Popen(command, pass_fds=[theirs.fileno()], process_group=0)
        theirs.close()
        ours.setblocking(False)
        self.workers[number] = Worker(number, process, ours)
        self._selector.register(ours, selectors.EVENT_READ, number)

    def _gone(self, worker: Worker) -> None:
        """A worker ended (its channel closed): start another, or give up if it never got ready."""
        self._selector.unregister(worker.channel)
        worker.channel.close()
        try:
            code = worker.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:  # closed its channel but lives on: not a worker any more
            worker.process.kill()
            code = worker.process.wait()
        del self.workers[worker.number]
        self._listen_if_any_ready()
        if self.stopping:
            return
        if not worker.ready:
            self.stopping = True
            raise RadarError(
                Code.WEB_WORKER_FAILED,
                f"web worker {worker.number} (pid {worker.process.pid}) exited with code {code} before "
                "it was ready: see its messages above",
            )
        log.warning(
            "web worker exited; starting another",
            extra={"worker": worker.number, "pid": worker.process.pid, "exit_code": code},
        )
        self._start(worker.number)

    def _check_processes(self) -> None:
        # The channel's end normally tells first; this catches a worker whose descendants keep it open.
        for worker in list(self.workers.values()):
            if worker.process.poll() is not None:
                self._gone(worker)

    def _stop_all(self) -> None:
        for worker in self.workers.values():
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for worker in self.workers.values():
            try:
                worker.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            worker.channel.close()
        self.workers.clear()

    # ------------------------------------------------------------------ events

    def _handle(self, what: str | int) -> None:
        if what == "wake":  # a signal: the loop sees ``stopping``
            with contextlib.suppress(OSError):
                self._wake[0].recv(512)
            return
        if what == "listener":
            self._accept()
            return
        worker = self.workers.get(int(what))
        if worker is None:
            return
        try:
            message = worker.channel.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            message = b""
        if message == READY:
            worker.ready = True
            self._listen_if_any_ready()
        elif not message:
            self._gone(worker)

    def _listen_if_any_ready(self) -> None:
        """Watch the listening socket only while some worker takes connections."""
        wanted = time.monotonic() >= self._accept_paused_until and any(
            worker.ready for worker in self.workers.values()
        )
        watching = self._watching()
        if wanted and not watching:
            self._selector.register(self.listener, selectors.EVENT_READ, "listener")
        elif watching and not wanted:
            self._selector.unregister(self.listener)

    def _watching(self) -> bool:
        try:
            self._selector.get_key(self.listener)
        except KeyError:
            return False
        return True

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                # E.g. out of file descriptors: the pending connection stays readable, so trying again
                # at once would spin; pause accepting for a tick (the kernel keeps the backlog).
                log.warning("accept failed; pausing", extra={"error": str(error), "seconds": TICK_S})
                self._accept_paused_until = time.monotonic() + TICK_S
                self._listen_if_any_ready()
                return
            with connection:  # our copy is closed once the worker has its own
                self._hand_over(connection)

    def _hand_over(self, connection: socket.socket) -> None:
        """Pass ``connection`` to the next ready worker in turn; if none can take it, it is closed."""
        for _ in range(self.count):
            number = self._turn
            self._turn = (self._turn + 1) % self.count
            worker = self.workers.get(number)
            if worker is None or not worker.ready:
                continue
            try:
                socket.send_fds(worker.channel, [CONNECTION], [connection.fileno()])
            except OSError:  # its channel is full (a stalled worker) or closed: the next one takes it
                continue
            return
        log.warning("no web worker could take a connection; it was closed")
