"""Small, typed helpers around `ip netns`, processes inside namespaces, and root checks."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rollout.errors import RolloutError

PREFIX = "rl"  # every lab namespace: rl<lab id>-... (rollout.netlab.names)
NETNS_DIR = Path("/run/netns")  # where `ip netns add` keeps its namespaces (ip-netns(8))
CLONE_NEWNET = 0x40000000  # <sched.h>; setns(2) with it enters a network namespace


class NetlabError(RolloutError):
    pass


def require_root(what: str = "the network lab") -> None:
    if os.geteuid() != 0:
        raise NetlabError(
            f"{what} needs root (network namespaces, veth, tc, nftables)",
            "run it as root, e.g. sudo .venv/bin/rollout netlab up SITE",
        )


def require_binaries(names: Sequence[str]) -> None:
    missing = [n for n in names if shutil.which(n) is None and not Path(n).exists()]
    if missing:
        raise NetlabError(
            f"missing programs: {', '.join(missing)}",
            "install the Debian packages in .ci/debian-packages.txt (apt-get install ...)",
        )


def run(cmd: Sequence[str], *, ns: str | None = None, check: bool = True, input: str = "") -> str:
    full = ["ip", "netns", "exec", ns, *cmd] if ns else list(cmd)
    proc = subprocess.run(full, input=input, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise NetlabError(
            f"{' '.join(full)} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}"
        )
    return proc.stdout


def namespaces() -> list[str]:
    out = run(["ip", "-o", "netns", "list"], check=False)
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def add_namespace(name: str) -> None:
    if not name.startswith(PREFIX):
        raise NetlabError(f"refusing to create namespace {name!r}: lab namespaces start {PREFIX}")
    if name in namespaces():
        raise NetlabError(
            f"namespace {name} exists already", "remove the old lab first: rollout netlab down"
        )
    run(["ip", "netns", "add", name])
    run(["ip", "link", "set", "lo", "up"], ns=name)


def delete_namespace(name: str) -> None:
    if not name.startswith(PREFIX) or name not in namespaces():
        return
    for pid in ns_pids(name):
        kill(pid)
    run(["ip", "netns", "del", name], check=False)


def ns_pids(name: str) -> list[int]:
    out = run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in out.split() if p.isdigit()]


def spawn(cmd: Sequence[str], *, ns: str, log: Path, env: dict[str, str] | None = None) -> int:
    """Start a long-running process inside a namespace; returns its pid (ip netns exec execs)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, *cmd],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def kill(pid: int, grace: float = 2.0) -> None:
    """SIGTERM, then SIGKILL after the grace time; reaps our own children."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    _reap(pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise NetlabError(f"timed out after {timeout:.0f} s waiting for {what}")


def links() -> list[str]:
    """Interface names in this machine's namespace."""
    out = run(["ip", "-o", "link", "show"], check=False)
    return [line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if ":" in line]


def addresses() -> list[str]:
    """IPv4 addresses (with prefix length) on the links of this machine's namespace."""
    out = run(["ip", "-o", "-4", "addr", "show"], check=False)
    return [f[3] for f in (line.split() for line in out.splitlines()) if len(f) > 3]


@contextlib.contextmanager
def netns(name: str) -> Iterator[None]:
    """Run the block in network namespace `name` (this thread only), then come back.

    Sockets made inside stay in that namespace after the block: one process can hold both ends
    of a flow in different namespaces (setns(2))."""
    libc = ctypes.CDLL(None, use_errno=True)
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(NETNS_DIR / name, os.O_RDONLY)
    except OSError:
        os.close(own)
        raise NetlabError(f"no network namespace {name}", "rollout netlab up SITE") from None
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise NetlabError(f"cannot enter namespace {name}: {os.strerror(err)}")
        yield
    finally:
        if libc.setns(own, CLONE_NEWNET) != 0:  # never stay in a lab namespace
            raise NetlabError("cannot return to this process's own network namespace")
        os.close(target)
        os.close(own)


def socket_in(name: str, kind: int, proto: int = 0) -> socket.socket:
    """An IPv4 socket living in network namespace `name`."""
    with netns(name):
        return socket.socket(socket.AF_INET, kind, proto)


def read_in(name: str, path: str) -> str:
    """A /proc file as seen from namespace `name` (e.g. /proc/thread-self/net/tcp)."""
    with netns(name):
        return Path(path).read_text(encoding="ascii", errors="replace")
