"""What /proc says about the node's JVM: is the pid alive, is it Elasticsearch, how much RAM.

A pidfile can outlive its process and the pid can be reused by something else, so every
decision to signal a process first checks that the pid still runs Elasticsearch.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def read_pid(pidfile: Path) -> int | None:
    try:
        text = pidfile.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def parse_state(stat_text: str) -> str | None:
    """The state letter from /proc/<pid>/stat; the command name may hold spaces and parentheses."""
    _, _, rest = stat_text.rpartition(")")
    fields = rest.split()
    return fields[0] if fields else None


def parse_vm_rss(status_text: str) -> int | None:
    """Resident set size in bytes from /proc/<pid>/status (``VmRSS:  123456 kB``)."""
    for line in status_text.splitlines():
        if line.startswith("VmRSS:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1]) * 1024
    return None


def is_alive(pid: int, proc: Path = PROC) -> bool:
    """True for a running process; a zombie (exited, not yet reaped) counts as gone."""
    try:
        state = parse_state((proc / str(pid) / "stat").read_text())
    except OSError:
        return False
    return state not in (None, "Z", "X")


def is_elasticsearch(pid: int, proc: Path = PROC) -> bool:
    try:
        cmdline = (proc / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False
    return b"org.elasticsearch" in cmdline


def rss_bytes(pid: int, proc: Path = PROC) -> int | None:
    try:
        return parse_vm_rss((proc / str(pid) / "status").read_text())
    except OSError:
        return None


def live_node_pid(pidfile: Path, proc: Path = PROC) -> int | None:
    """The pid in ``pidfile`` if that process is alive and is Elasticsearch, else None."""
    pid = read_pid(pidfile)
    if pid is None or not is_alive(pid, proc) or not is_elasticsearch(pid, proc):
        return None
    return pid


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log file, or a note that it does not exist."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])
