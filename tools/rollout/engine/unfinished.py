"""An unfinished site rollout, as every command that touches the site reports it first.

Read from the site's journal (`engine.journal`) and from the devices' own pending state (the
Driver's ``pending``: the IOS revert timer, linux_router's ``revert.sh``; the codec has none).
``unconfirmed`` is what a plan of one device adds: a change pushed and not confirmed is never
"no changes", even when the running configuration matches.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollout.drivers.base import DeviceError, Driver, ErrorKind, Pending
from rollout.engine import journal
from rollout.targets import Managed, driver_for


def alive(run: journal.Run) -> bool:
    """Whether the run's process still runs (on this host; another host's is not known)."""
    if run.host and run.host != socket.gethostname():
        return True
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(t))


def ask_pending(driver: Driver) -> Pending | None:
    """The device's own pending change; a device that does not know the command has none."""
    try:
        return driver.pending()
    except DeviceError as exc:
        if exc.kind is ErrorKind.REFUSED:
            return None
        raise


def unconfirmed(m: Managed, driver: Driver) -> str:
    """Why the device's change is not settled ('' when it is): its revert timer runs, or the
    site's unfinished rollout pushed it without a confirm."""
    reasons = []
    pending = ask_pending(driver)
    if pending is not None:
        at = f", reverts at {clock(pending.deadline)}" if pending.deadline else ""
        reasons.append(f"a change is pending confirmation on the device ({pending.detail}{at})")
    run = journal.open_run(m.root, m.site.slug)
    d = run.devices.get(m.device.hostname) if run is not None else None
    if run is not None and d is not None and d.unsettled:
        reasons.append(
            f"pushed by the unfinished rollout {run.id} (pid {run.pid}) and never confirmed"
        )
    return "; ".join(reasons)


@dataclass(frozen=True)
class DeviceNote:
    device: str
    state: str
    """'reverts' (its timer runs), 'does not revert', 'reverted?', 'confirmed', 'saved',
    'rolled back', 'backed up', 'untouched'."""
    revert_at: float | None = None
    detail: str = ""


SAID = {
    "reverts": ("reverts", "revert"),
    "does not revert": (
        "does not revert (no revert timer): the change stays",
        "do not revert (no revert timer): the change stays",
    ),
    "reverted?": (
        "no longer has a revert timer (reverted by it?)",
        "no longer have a revert timer (reverted by it?)",
    ),
    "confirmed": ("is confirmed, not saved", "are confirmed, not saved"),
    "saved": ("is confirmed and saved", "are confirmed and saved"),
    "rolled back": ("is rolled back", "are rolled back"),
    "backed up": ("is backed up, not pushed", "are backed up, not pushed"),
    "untouched": ("was not touched", "were not touched"),
}
"""How the notice says each state a device is left in (one device, several)."""


@dataclass(frozen=True)
class Unfinished:
    """A site's run that is not closed, with what each of its devices is left in."""

    run: journal.Run
    running: bool
    devices: tuple[DeviceNote, ...]

    def describe(self) -> str:
        r = self.run
        who = "still running" if self.running else "killed?"
        head = (
            f"an unfinished rollout of {r.site} from {clock(r.started)} "
            f"(pid {r.pid} on {r.host or '?'}, {who}; backup set {r.backup_set}) is pending"
        )
        if r.stopped:
            head += f" (it ended '{r.stopped}' with devices unsettled)"
        groups: dict[str, list[DeviceNote]] = {}
        for d in self.devices:
            groups.setdefault(d.state, []).append(d)
        parts = []
        for state, notes in groups.items():
            names = " and ".join(d.device for d in notes)
            said = SAID.get(state, (state, state))[len(notes) > 1]
            if state == "reverts":
                times = list(dict.fromkeys(clock(d.revert_at) for d in notes if d.revert_at))
                said += f" at {' and '.join(times)}" if times else " (time unknown)"
            parts.append(f"{names} {said}")
        return f"{head}: {'; '.join(parts)}"

    def fix(self) -> str:
        return (
            f"`rollout recover {self.run.site}` confirms and saves every device if all of them "
            "verify, else rolls every device back (the codec too)"
        )

    def to_json(self) -> dict[str, Any]:
        r = self.run
        return {
            "site": r.site,
            "run": r.id,
            "pid": r.pid,
            "host": r.host,
            "started": r.started_at,
            "running": self.running,
            "backup_set": r.backup_set,
            "stopped": r.stopped or None,
            "devices": [
                {
                    "device": d.device,
                    "state": d.state,
                    "revert_at": (
                        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(d.revert_at))
                        if d.revert_at
                        else None
                    ),
                    "detail": d.detail,
                }
                for d in self.devices
            ],
            "message": self.describe(),
            "fix": self.fix(),
        }


def _note(d: journal.Device, m: Managed | None) -> DeviceNote:
    if d.rolled_back:
        return DeviceNote(d.name, "rolled back")
    if d.saved:
        return DeviceNote(d.name, "saved")
    if d.confirmed:
        return DeviceNote(d.name, "confirmed")
    if not d.unsettled:
        return DeviceNote(d.name, "backed up" if d.backup else "untouched")
    pending: Pending | None = None
    detail = ""
    if m is not None:
        driver = driver_for(m.target)
        try:
            pending = ask_pending(driver)
        except DeviceError as exc:
            detail = f"its pending state could not be read: {exc.message}"
        finally:
            driver.close()
    if pending is not None:
        return DeviceNote(d.name, "reverts", pending.deadline or d.revert_deadline, pending.detail)
    if m is not None and m.device.platform.value == "polycom":
        return DeviceNote(d.name, "does not revert", None, "the codec has no revert timer")
    if detail:
        return DeviceNote(d.name, "reverts", d.revert_deadline, detail)
    return DeviceNote(d.name, "reverted?", d.revert_deadline, "no revert timer pending")


def unfinished(root: Path, sites: Sequence[str], devices: Sequence[Managed]) -> list[Unfinished]:
    """The sites' runs that are not closed, each device's state read from the journal and,
    for a device left unsettled, from the device itself (devices: where they are reached)."""
    by_name = {m.device.hostname: m for m in devices}
    found = []
    for site in sites:
        run = journal.open_run(root, site)
        if run is None:
            continue
        notes = tuple(_note(d, by_name.get(d.name)) for d in run.devices.values())
        found.append(Unfinished(run, alive(run), notes))
    return found
