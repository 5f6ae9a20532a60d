"""The lab's processes seen from outside: alive or not, recorded pids, runtime files, free
ports, logging and atomic writes."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from pathlib import Path

from rollout.endpoints import ENDPOINTS_FILE
from rollout.lab.control import CONTROL_SOCKET
from rollout.lab.server import LOOPBACK, LabError
from rollout.lab.specs import LabConfigError
from rollout.lab.state import KNOWN_HOSTS, PID_FILE, RUN_DIR, STATE_FILE, LabState

PROCESS_MARK = "rollout.lab.manager"
"""The module the lab processes run (``python -m``): it marks them in /proc."""


def pid_alive(pid: int) -> bool:
    """True when ``pid`` runs (zombies count as dead; our own children get reaped)."""
    if pid <= 0:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def is_lab_process(pid: int) -> bool:
    """True when ``pid`` is alive and is one of the lab's processes (guards recycled pids)."""
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the recorded pid
    return PROCESS_MARK.encode() in cmdline


def recorded_pids(state_dir: Path) -> list[int]:
    pids: list[int] = []
    with contextlib.suppress(OSError, ValueError):
        pids.append(int((state_dir / PID_FILE).read_text().strip()))
    with contextlib.suppress(LabError):
        state = LabState.read(state_dir)
        if state is not None:
            pids.extend(state.pids())
    return list(dict.fromkeys(pids))


def remove_runtime_files(state_dir: Path) -> None:
    for name in (STATE_FILE, KNOWN_HOSTS, ENDPOINTS_FILE, CONTROL_SOCKET, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / name).unlink()
    run = state_dir / RUN_DIR
    if run.is_dir():
        for item in run.iterdir():
            with contextlib.suppress(OSError):
                item.unlink()


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def assign_ports(count: int, base_port: int) -> list[int]:
    """``count`` free loopback ports from ``base_port`` upwards, skipping busy ones."""
    ports: list[int] = []
    port = base_port
    while len(ports) < count:
        if port > 65535:
            raise LabConfigError(
                f"not enough free TCP ports from {base_port} up to 65535 for {count} devices; "
                "choose a lower base port"
            )
        if port_free(port):
            ports.append(port)
        port += 1
    return ports


def read_pid(state_dir: Path) -> int | None:
    try:
        return int((state_dir / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def setup_logging(level: str, role: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format=f"%(asctime)s {role}[%(process)d] %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
