"""`rollout recover SITE`: finish a site's unfinished rollout one way or the other.

Roll forward (confirm and save every device) only when every device of the run verifies
(nothing left to send, the driver's own verify); then verified once more after the confirms,
since a revert timer may fire between the two. Otherwise, or when any of that fails, every
device the run backed up is rolled back to that backup (the codec too, which has no revert
timer of its own), so the site is old or new as a whole. The journal is closed with the
outcome; a rollback that fails leaves it open (the next command still reports it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rollout import audit
from rollout.backups import BackupStore
from rollout.engine import devlock, journal
from rollout.engine.facts import minute_seconds
from rollout.engine.pool import for_devices
from rollout.engine.steps import confirm_one, rollback_one, save_one, verify_one
from rollout.engine.unfinished import alive
from rollout.errors import RolloutError
from rollout.fleet import Result
from rollout.inventory.loader import Inventory
from rollout.lock import pid_alive
from rollout.secrets import Secrets
from rollout.targets import Managed, managed_devices

ROLLBACK_WAIT_MINUTES = 5
"""Revert-timer minutes a rollback waits for a device that lost management."""
BUSY_WAIT_SECONDS = 60.0
"""How long recover waits for a step the killed run's processes still run (a fork)."""


@dataclass
class Recovery:
    site: str
    run: str = ""
    outcome: str = "nothing to recover"
    """'nothing to recover', 'rolled forward', 'rolled back' or 'failed'."""
    reason: str = ""
    devices: list[Result[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


def _wait_for_forks(root: Path, site: str) -> journal.Run:
    """The run once no process of the killed run still runs a step (bounded)."""
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    while True:
        run = journal.open_run(root, site)
        if run is None:
            raise RolloutError(f"the rollout of {site} was closed meanwhile", "nothing to do")
        busy = {pid for d in run.devices.values() for pid in d.busy.values()}
        if not any(pid_alive(pid) for pid in busy) or time.monotonic() > deadline:
            return run
        time.sleep(0.5)


def recover(
    root: Path,
    inv: Inventory,
    secrets: Secrets,
    site: str,
    *,
    lab: Path | None = None,
    netlab: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Recovery:
    """Finish the site's unfinished rollout: all new (verified) or all old (backup)."""
    from rollout.lock import site_lock

    say = progress or (lambda _line: None)
    found = journal.open_run(root, site)
    if found is None:
        return Recovery(site)
    if alive(found):
        raise RolloutError(
            f"the rollout {found.id} of {site} is still running (pid {found.pid} on {found.host})",
            "let it finish or stop it (Ctrl-C rolls it back); then `rollout recover` if needed",
        )
    command = f"rollout recover {site}"
    reached = managed_devices(inv, [site], secrets, lab=lab, netlab=netlab)
    # The killed run's lock on the router is stale (its process is gone); recovering that run
    # takes it over (audited as device-lock-takeover) and releases it at the end. A live
    # holder is never taken over (devlock.take refuses it).
    with site_lock(root, [site], command), devlock.hold(reached, [site], command, take_over=True):
        run = _wait_for_forks(root, site)
        devices = [m for m in reached if m.device.hostname in run.devices]
        done = Recovery(site, run.id)
        say(f"recover {site}: verifying {len(devices)} devices of rollout {run.id}")
        checked = for_devices(devices, lambda m: _verify(inv, secrets, m))
        failed = [r for r in checked if not r.ok]
        if not failed:
            failed = _forward(inv, secrets, devices, say)
            if not failed:
                done.outcome, done.reason = "rolled forward", "every device verified"
                done.devices = [
                    Result(m.device.hostname, value="confirmed and saved") for m in devices
                ]
        if failed:
            done.reason = "; ".join(f"{r.device}: {r.error}" for r in failed)
            say(f"recover {site}: not every device verifies ({done.reason}); rolling back")
            done.devices = _back(root, run, devices)
            bad = [r for r in done.devices if not r.ok]
            done.outcome = "failed" if bad else "rolled back"
        if done.ok:
            journal.close(root, site, run.id, f"recovered: {done.outcome}")
        audit.record(
            root,
            "recover",
            sites=[site],
            devices=[m.device.hostname for m in devices],
            result=done.outcome,
            detail=done.reason,
            backup_set=run.backup_set,
        )
        return done


def _verify(inv: Inventory, secrets: Secrets, m: Managed) -> str:
    verify_one(inv, secrets, m)
    return "verified"


def _forward(
    inv: Inventory, secrets: Secrets, devices: Sequence[Managed], say: Callable[[str], None]
) -> list[Result[str]]:
    """Confirm every device, verify again (a timer may have fired meanwhile), save."""
    say("every device verifies: confirming and saving")

    def settle(m: Managed) -> str:
        confirm_one(m)
        verify_one(inv, secrets, m)
        return "confirmed"

    failed = [r for r in for_devices(devices, settle) if not r.ok]
    if failed:
        return failed

    def save(m: Managed) -> str:
        save_one(m)
        return "saved"

    return [r for r in for_devices(devices, save) if not r.ok]


def _back(root: Path, run: journal.Run, devices: Sequence[Managed]) -> list[Result[str]]:
    """Every device the run backed up, put back to that backup; the others were not touched."""
    store = BackupStore(root)
    folder = store.base / run.site / run.backup_set
    backed = [m for m in devices if (folder / f"{m.device.hostname}.txt").exists()]
    results = [
        Result(m.device.hostname, value="not backed up by the run, so never pushed: left as is")
        for m in devices
        if m not in backed
    ]
    if not backed:
        return results
    backup = store.get(run.site, run.backup_set)

    def back(m: Managed) -> str:
        wait = minute_seconds(m.target) * ROLLBACK_WAIT_MINUTES
        return rollback_one(backup, m, wait_seconds=wait) or "rolled back"

    return results + for_devices(backed, back)
