"""The audit log: an append-only record of who changed what, when, and how it ended.

One JSON object per line in ``var/audit.log`` (``$ROLLOUT_AUDIT_LOG`` moves it). Every plan,
backup, push, rollback, rollout, trust and lab action appends one line; lines are never
rewritten. A line holds who (``user@host``), when (UTC), the action, the sites and devices,
the change's hash (sha256 of the commands sent, redacted) and the result. Values pass through
the redaction layer before they reach the disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.errors import RolloutError
from rollout.secrets import redact

AUDIT_FILE = Path("var/audit.log")
ENV_AUDIT = "ROLLOUT_AUDIT_LOG"


def audit_path(root: Path | None) -> Path | None:
    env = os.environ.get(ENV_AUDIT)
    if env:
        return Path(env)
    return None if root is None else root / AUDIT_FILE


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def change_hash(commands: Iterable[str]) -> str:
    """sha256 of the commands sent, one per line, after redaction ('' when nothing is sent)."""
    lines = [redact(c) for c in commands]
    if not lines:
        return ""
    return "sha256:" + hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def record(
    root: Path | None,
    action: str,
    *,
    sites: Sequence[str] = (),
    devices: Sequence[str] = (),
    result: str = "ok",
    change: str = "",
    detail: str = "",
    **extra: Any,
) -> None:
    """Append one line. Never raises: an unwritable audit log must not hide the real outcome,
    so the failure is reported on stderr instead."""
    path = audit_path(root)
    if path is None:
        return
    entry: dict[str, Any] = {
        "when": now(),
        "who": who(),
        "pid": os.getpid(),
        "action": action,
        "sites": list(sites),
        "devices": list(devices),
        "result": result,
    }
    if change:
        entry["change"] = change
    if detail:
        entry["detail"] = detail
    entry.update(extra)
    line = redact(json.dumps(entry, ensure_ascii=False, default=str)) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = line.encode("utf-8")
            while data:
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
    except OSError as exc:
        import sys

        with contextlib.suppress(OSError):
            sys.stderr.write(f"warning: cannot append to the audit log {path}: {exc.strerror}\n")


@dataclass(frozen=True)
class Query:
    since: str = ""
    site: str = ""
    device: str = ""
    action: str = ""


def entries(path: Path) -> Iterator[dict[str, Any]]:
    """Every readable line; a torn or foreign line is skipped, never fatal."""
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RolloutError(f"cannot read the audit log {path} ({exc.strerror})") from None
    with handle:
        for raw in handle:
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                yield entry


def normalize_since(text: str) -> str:
    """'2026-11-28', '2026-11-28T09:30', or a duration back from now: 30m, 12h, 7d."""
    text = text.strip()
    units = {"m": 60, "h": 3600, "d": 86400}
    if text[:-1].isdigit() and text[-1:] in units:
        seconds = int(text[:-1]) * units[text[-1]]
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            parsed = time.strptime(text, fmt)
        except ValueError:
            continue
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)
    raise RolloutError(
        f"--since {text!r} is neither a date nor a duration",
        "use e.g. 2026-11-28, 2026-11-28T09:30, 30m, 12h or 7d (UTC)",
    )


def query(path: Path, q: Query) -> list[dict[str, Any]]:
    since = normalize_since(q.since) if q.since else ""
    out = []
    for entry in entries(path):
        if since and str(entry.get("when", "")) < since:
            continue
        if q.site and q.site not in entry.get("sites", []):
            continue
        if q.device and q.device not in entry.get("devices", []):
            continue
        if q.action and entry.get("action") != q.action:
            continue
        out.append(entry)
    return out
