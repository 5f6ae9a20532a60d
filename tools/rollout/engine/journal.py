"""The transaction journal of a site rollout: what a run is about to do and what each step did.

One file per site, ``var/journal/<site>.jsonl`` in the repository (next to ``var/locks``: both
describe runs of this controller). Every entry is one JSON line, appended under an exclusive
``flock`` and ``fsync``-ed before the step goes on; a new file and a retired one are made
with ``os.replace`` and the folder ``fsync``-ed, so a ``kill -9`` or a power cut leaves
whole lines only (a torn last line is ignored when read).

Entries (``v`` 1):

- ``begin``: a run starts, before any device is touched: its id (the backup set), pid, user,
  host, command, devices, revert minutes and the step order;
- ``step``: one device step, ``phase`` ``start`` (written before the step talks to the device)
  then ``done`` or ``failed``; ``done`` of ``backup`` carries the backup path, of ``push``
  whether lines were sent and the revert-timer deadline; written by the steps themselves
  (``engine.audited``), so the Ansible module's processes write them too;
- ``stopped``: the run ended with devices unsettled (pushed, neither confirmed nor rolled
  back): the journal stays open for ``rollout recover``;
- ``end``: the run is closed (every device settled), with its result.

The state of a site is derived from its file alone (``read``). A run that begins while the
last one is closed retires the file to ``var/journal/done/<site>.<run>.jsonl`` first.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rollout.secrets import redact

JOURNAL_DIR = Path("var/journal")
VERSION = 1


def path_of(root: Path, site: str) -> Path:
    return root / JOURNAL_DIR / f"{site}.jsonl"


def _now() -> dict[str, Any]:
    t = time.time()
    return {"t": round(t, 3), "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))}


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The journal file open for appending, under an exclusive lock (created when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if created:
            _fsync_dir(path.parent)
        yield fd
    finally:
        os.close(fd)


def _append(fd: int, entry: dict[str, Any]) -> None:
    # An error text may quote a device's reply, and that may echo a vault value: every line
    # goes through the redaction layer the audit log uses (secrets never reach var/).
    line = redact(json.dumps({"v": VERSION, **_now(), **entry}, ensure_ascii=False)) + "\n"
    os.write(fd, line.encode("utf-8"))
    os.fsync(fd)


@dataclass
class Device:
    """What the journal says one device went through in the run."""

    name: str
    backup: str = ""
    pushed: bool = False
    """The push sent lines (a revert timer was armed where the platform has one)."""
    push_started: bool = False
    revert_deadline: float | None = None
    verified: bool = False
    confirmed: bool = False
    saved: bool = False
    rolled_back: bool = False
    last: str = ""
    """The last step and phase seen, e.g. 'push start', 'confirm done', 'save failed'."""
    busy: dict[str, int] = field(default_factory=dict)
    """Steps started and not ended: step -> pid of the process running it."""

    @property
    def unsettled(self) -> bool:
        """Changed (or maybe changed) and neither confirmed nor rolled back."""
        return (self.pushed or self.push_started) and not (self.confirmed or self.rolled_back)


@dataclass
class Run:
    """One run of the file (the last ``begin`` and what followed it)."""

    site: str
    id: str
    pid: int
    user: str
    host: str
    command: str
    started: float
    started_at: str
    backup_set: str
    revert_minutes: int
    devices: dict[str, Device]
    closed: bool = False
    result: str = ""
    stopped: str = ""
    """The result a run gave when it ended with devices unsettled (journal left open)."""

    @property
    def unsettled(self) -> list[Device]:
        return [d for d in self.devices.values() if d.unsettled]

    @property
    def touched(self) -> bool:
        return any(d.last for d in self.devices.values())


def _apply(run: Run, entry: dict[str, Any]) -> None:
    event = entry.get("event")
    if event == "end":
        run.closed, run.result = True, str(entry.get("result", ""))
        return
    if event == "stopped":
        run.stopped = str(entry.get("result", ""))
        return
    if event != "step":
        return
    name = str(entry.get("device", ""))
    d = run.devices.setdefault(name, Device(name))
    step, phase = str(entry.get("step", "")), str(entry.get("phase", ""))
    d.last = f"{step} {phase}"
    if phase == "start":
        d.busy[step] = int(entry.get("pid", 0))
        if step == "push":
            d.push_started = True
        return
    d.busy.pop(step, None)
    if phase != "done":
        return
    if step == "backup":
        d.backup = str(entry.get("backup", ""))
    elif step == "push":
        d.pushed = bool(entry.get("changed"))
        d.push_started = d.pushed
        deadline = entry.get("revert_deadline")
        d.revert_deadline = float(deadline) if deadline is not None else None
    elif step == "verify":
        d.verified = True
    elif step == "confirm":
        d.confirmed = True
    elif step == "save":
        d.saved = True
    elif step == "rollback":
        d.rolled_back = True
        d.pushed = d.push_started = False


def parse(site: str, text: str) -> Run | None:
    """The last run of a journal file's text (None without a begin); torn lines skipped."""
    run: Run | None = None
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if entry.get("event") == "begin":
            run = Run(
                site,
                str(entry.get("run", "")),
                int(entry.get("pid", 0)),
                str(entry.get("user", "")),
                str(entry.get("host", "")),
                str(entry.get("command", "")),
                float(entry.get("t", 0.0)),
                str(entry.get("at", "")),
                str(entry.get("backup_set", "")),
                int(entry.get("revert_minutes", 0)),
                {str(n): Device(str(n)) for n in entry.get("devices", [])},
            )
        elif run is not None and entry.get("run") == run.id:
            _apply(run, entry)
    return run


def read(root: Path, site: str) -> Run | None:
    """The site's last run as its journal tells it, None when it has no journal."""
    try:
        text = path_of(root, site).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return parse(site, text)


def open_run(root: Path | None, site: str) -> Run | None:
    """The site's run when it is not closed (in progress, killed or stopped unsettled)."""
    if root is None:
        return None
    run = read(root, site)
    return run if run is not None and not run.closed else None


def begin(
    root: Path,
    site: str,
    run_id: str,
    *,
    devices: Sequence[str],
    revert_minutes: int,
    command: str,
) -> None:
    """Start a run: an unfinished previous one is closed as superseded, a closed one retired."""
    from rollout.audit import who

    path = path_of(root, site)
    last = read(root, site)
    if last is not None and not last.closed:
        with _locked(path) as fd:
            _append(fd, {"event": "end", "run": last.id, "result": f"superseded by {run_id}"})
    if path.exists():
        done = path.parent / "done"
        done.mkdir(parents=True, exist_ok=True)
        path.replace(done / f"{site}.{last.id if last else 'unknown'}.jsonl")
        _fsync_dir(done)
        _fsync_dir(path.parent)
    user, _, host = who().partition("@")
    with _locked(path) as fd:
        _append(
            fd,
            {
                "event": "begin",
                "run": run_id,
                "site": site,
                "pid": os.getpid(),
                "user": user,
                "host": host,
                "command": command,
                "backup_set": run_id,
                "revert_minutes": revert_minutes,
                "devices": list(devices),
                "steps": ["backup", "push", "verify", "confirm", "save"],
            },
        )


def step(root: Path | None, site: str, device: str, name: str, phase: str, **data: object) -> None:
    """One step entry of a device, appended to its site's open run (nothing when none, or
    without a repository)."""
    if root is None:
        return
    path = path_of(root, site)
    if not path.exists():
        return
    with _locked(path) as fd:
        run = parse(site, path.read_text(encoding="utf-8"))
        if run is None or run.closed:
            return
        entry: dict[str, Any] = {"event": "step", "run": run.id, "device": device, "step": name}
        _append(fd, {**entry, "phase": phase, "pid": os.getpid(), **data})


def finish(root: Path, site: str, run_id: str, result: str) -> Run | None:
    """End the run: closed when every device is settled, else 'stopped' and left open."""
    path = path_of(root, site)
    with _locked(path) as fd:
        run = parse(site, path.read_text(encoding="utf-8"))
        if run is None or run.id != run_id or run.closed:
            return run
        if run.unsettled:
            _append(
                fd,
                {
                    "event": "stopped",
                    "run": run_id,
                    "result": result,
                    "unsettled": [d.name for d in run.unsettled],
                },
            )
            run.stopped = result
        else:
            _append(fd, {"event": "end", "run": run_id, "result": result})
            run.closed, run.result = True, result
        return run


def close(root: Path, site: str, run_id: str, result: str) -> None:
    """Close the run whatever its devices' state (``rollout recover`` settled them)."""
    with _locked(path_of(root, site)) as fd:
        _append(fd, {"event": "end", "run": run_id, "result": result})
