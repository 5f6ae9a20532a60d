"""One lock file per site under var/locks: two rollouts never touch the same site at once.

The lock file is created with O_EXCL and holds who took it (pid, user, host, start, command).
A second run is refused with the holder's name. A lock left by a process that no longer runs
on this host (killed, crashed) is stale: it is taken over, and the caller is told so.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError

LOCK_DIR = Path("var/locks")


class LockHeld(RolloutError):
    pass


@dataclass(frozen=True)
class Holder:
    site: str
    pid: int
    user: str
    host: str
    start: str
    command: str = ""

    def describe(self) -> str:
        return f"{self.user}@{self.host} (pid {self.pid}, since {self.start}, `{self.command}`)"


@dataclass(frozen=True)
class Acquired:
    paths: tuple[Path, ...]
    stale: tuple[Holder, ...]


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine with that pid runs (signal 0 reaches it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _me(site: str, command: str) -> Holder:
    from rollout.audit import who

    user, _, host = who().partition("@")
    return Holder(
        site,
        os.getpid(),
        user,
        host,
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        command,
    )


def read_holder(path: Path) -> Holder | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return Holder(
            str(data["site"]),
            int(data["pid"]),
            str(data["user"]),
            str(data["host"]),
            str(data["start"]),
            str(data.get("command", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _stale(holder: Holder | None) -> bool:
    if holder is None:
        return True  # torn or empty file: its writer died before finishing it
    return holder.host == socket.gethostname() and not pid_alive(holder.pid)


def _take(path: Path, me: Holder) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(me.__dict__, handle)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def acquire(root: Path, sites: Sequence[str], command: str = "") -> Acquired:
    """Lock every site (sorted, so two runs never deadlock), or release and raise LockHeld."""
    folder = root / LOCK_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RolloutError(
            f"cannot create the lock folder {folder} ({exc.strerror})",
            "make var/ writable for the user running rollout",
        ) from None
    taken: list[Path] = []
    stale: list[Holder] = []
    # Checking a holder and taking over a stale lock happen under one guard, so two runs
    # that both find a dead holder cannot both take over.
    guard = os.open(folder / ".guard", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        for site in sorted(set(sites)):
            path = folder / f"{site}.lock"
            me = _me(site, command)
            for _attempt in range(3):
                if _take(path, me):
                    taken.append(path)
                    break
                holder = read_holder(path)
                if holder is not None and holder.pid == os.getpid():
                    raise LockHeld(f"{site} is already locked by this process")
                if not _stale(holder):
                    assert holder is not None
                    raise LockHeld(
                        f"{site} is being rolled out by {holder.describe()}; nothing was done",
                        "wait for that run to end (rollout audit --site "
                        f"{site} shows it), or, if it is dead on another host, "
                        f"remove {path} after checking with its owner",
                    )
                if holder is not None:
                    stale.append(holder)
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            else:
                raise LockHeld(f"could not take the lock of {site}", "try again")
    except BaseException:
        release(Acquired(tuple(taken), ()))
        raise
    finally:
        os.close(guard)
    return Acquired(tuple(taken), tuple(stale))


def release(lock: Acquired) -> None:
    for path in lock.paths:
        holder = read_holder(path)
        if holder is None or holder.pid == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


@contextlib.contextmanager
def site_lock(root: Path, sites: Sequence[str], command: str = "") -> Iterator[Acquired]:
    lock = acquire(root, sites, command)
    try:
        yield lock
    finally:
        release(lock)
