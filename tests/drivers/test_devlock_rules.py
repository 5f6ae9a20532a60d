"""The device lock's marker line and its stale rule (rollout.engine.devlock), without devices."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from rollout.engine import devlock


def _holder(
    *, command: str = "rollout site bao-thang", pid: int = 0, host: str = ""
) -> devlock.DeviceHolder:
    from dataclasses import replace

    base = devlock.me("bao-thang", command, "abc123")
    return replace(base, pid=pid or base.pid, host=host or base.host)


def test_marker_round_trip_and_unsafe_characters() -> None:
    holder = _holder(command="rollout site bao-thang {x} [y] $z")
    line = holder.encode()
    assert line.startswith("rollout-lock/1 ") and "{" not in line and "$" not in line
    back = devlock.decode(line)
    assert back is not None
    assert (back.user, back.host, back.pid, back.token) == (
        holder.user,
        holder.host,
        holder.pid,
        "abc123",
    )
    assert back.command == "rollout site bao-thang _x_ _y_ _z"
    assert devlock.decode("") is None and devlock.decode("something else") is None


def test_stale_rule() -> None:
    now = datetime.now(UTC)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead_here = _holder(pid=gone.pid)
    assert "no longer runs" in devlock.stale_reason(dead_here, False, now)
    assert "no longer runs" in devlock.stale_reason(dead_here, True, now)  # its process is gone
    alive = _holder()
    assert devlock.stale_reason(alive, False, now) == ""
    later = now + devlock.STALE_AFTER + timedelta(minutes=1)
    elsewhere = _holder(host="not-" + socket.gethostname(), pid=gone.pid)
    assert devlock.stale_reason(elsewhere, False, now) == ""  # another machine: its pid unknown
    assert "older than" in devlock.stale_reason(elsewhere, False, later)
    assert devlock.stale_reason(elsewhere, True, later) == ""  # a pending revert timer: held
    assert "no holder line" in devlock.stale_reason(None, False, now)
    assert devlock.stale_reason(None, True, now) == ""
