"""Which process holds which TCP socket, read from /proc (Linux), for tests about servers and crawls.

A socket is named by its inode: ``/proc/<pid>/fd`` links to ``socket:[INODE]`` and the kernel's
tables ``/proc/net/tcp`` and ``tcp6`` list each socket's state and inode.
"""

from __future__ import annotations

from pathlib import Path

LISTEN = "0A"
ESTABLISHED = "01"


def tcp_inodes(state: str, local_port: int | None = None) -> set[int]:
    """Inodes of the TCP sockets in ``state`` (IPv4 and IPv6), only those on ``local_port`` if given."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            port = int(fields[1].rsplit(":", 1)[1], 16)
            if fields[3] == state and (local_port is None or port == local_port):
                inodes.add(int(fields[9]))
    return inodes


def socket_inodes(pid: int) -> set[int]:
    """Inodes of every socket process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes
