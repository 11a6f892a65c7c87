"""The account the node runs as: Elasticsearch refuses to run as root.

As root we create (once) the system user ``smokkelradar-es`` without a home or login shell,
hand the node's data directory to it and start the JVM under it. As anyone else the node
runs as that user, and nothing changes owner.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from radar.errors import Code, RadarError

SERVICE_USER = "smokkelradar-es"


@dataclass(frozen=True)
class Account:
    """Who the JVM runs as; ``switch`` is true when we must change to it (we are root)."""

    name: str
    uid: int
    gid: int
    switch: bool


def current_account() -> Account:
    uid = os.geteuid()
    return Account(name=pwd.getpwuid(uid).pw_name, uid=uid, gid=os.getegid(), switch=False)


def node_account() -> Account:
    """The service user when we are root (created if missing), else the current user."""
    if os.geteuid() != 0:
        return current_account()
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        entry = _create_service_user()
    return Account(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid, switch=True)


def _create_service_user() -> pwd.struct_passwd:
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    command = [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except OSError as error:
        raise RadarError(
            Code.ES_SERVICE_USER, f"cannot run useradd to create {SERVICE_USER}: {error}"
        ) from error
    if result.returncode != 0:
        raise RadarError(
            Code.ES_SERVICE_USER,
            f"useradd could not create {SERVICE_USER} (exit {result.returncode}): {result.stderr.strip()}",
        )
    return pwd.getpwnam(SERVICE_USER)


def hand_over(path: Path, account: Account) -> None:
    """Give ``path`` and everything below it to the account (only what it does not own yet)."""
    if not account.switch:
        return
    for directory, subdirs, files in os.walk(path):
        here = Path(directory)
        for entry in [here, *(here / name for name in subdirs + files)]:
            info = entry.lstat()
            if info.st_uid != account.uid or info.st_gid != account.gid:
                os.lchown(entry, account.uid, account.gid)


def can_traverse(mode: int, owner: int, group: int, account_uid: int, account_groups: set[int]) -> bool:
    """Whether a directory with this mode and ownership lets the account pass through it."""
    if owner == account_uid:
        return bool(mode & stat.S_IXUSR)
    if group in account_groups:
        return bool(mode & stat.S_IXGRP)
    return bool(mode & stat.S_IXOTH)


def check_reachable(path: Path, account: Account, purpose: str) -> None:
    """Fail clearly when the account cannot reach ``path`` (e.g. a node directory under /root)."""
    if not account.switch:
        return
    groups = {account.gid} | {g.gr_gid for g in grp.getgrall() if account.name in g.gr_mem}
    for ancestor in reversed(path.absolute().parents):
        info = ancestor.stat()
        if not can_traverse(info.st_mode, info.st_uid, info.st_gid, account.uid, groups):
            raise RadarError(
                Code.ES_PATH_NOT_ACCESSIBLE,
                f"the {purpose} {path} is not reachable for the user {account.name}, which the node runs as: "
                f"{ancestor} (mode {stat.filemode(info.st_mode)}) does not let it pass. "
                f"Choose a directory outside {ancestor}, or allow others to enter it (chmod o+x {ancestor}).",
            )
