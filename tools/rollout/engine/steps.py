"""One function per device step, the only place a device is read, planned, pushed, verified,
confirmed, saved or rolled back (the CLI, the Ansible modules, drift and the network lab).

Each step opens its own session, or runs in the one given (``driver``: the site transaction
holds one session per device across its steps), raises DeviceError naming the step, and (except
the bare read ``plan_device``, which drift audits once for the whole fleet) appends one audit
line.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from rollout import audit
from rollout.backups import BackupSet, BackupStore
from rollout.drivers.base import DeviceError, Driver, Plan
from rollout.engine import lost
from rollout.engine.audited import Step, audited, session
from rollout.engine.unfinished import unconfirmed
from rollout.inventory.loader import Inventory
from rollout.render import render_device
from rollout.secrets import Secrets
from rollout.targets import Managed

# The commit safety order of a rollout (design "Commit safety order"): push with the revert
# timer, verify, confirm, and save last, so that an unconfirmed change never reaches
# startup-config (a controller that dies before the confirm leaves the revert timer to undo it).
# The role site_rollout runs its tasks in this order; tests hold it to that.
COMMIT_ORDER = ("backup", "push", "verify", "confirm", "save")


def intended(inv: Inventory, secrets: Secrets, m: Managed) -> str:
    return render_device(inv, m.site, m.device, secrets).text


def read_plan(driver: Driver, text: str) -> tuple[str, Plan]:
    """The one read of a device: its running configuration and the plan to reach text."""
    running = driver.running_config()
    return running, driver.plan(running, text)


def plan_device(inv: Inventory, secrets: Secrets, m: Managed) -> tuple[str, Plan]:
    """Read one device and plan it, without an audit line (drift audits its run once)."""
    text = intended(inv, secrets, m)
    with session(m) as driver:
        running, plan = read_plan(driver, text)
        return running, replace(plan, unconfirmed=unconfirmed(m, driver))


def plan_one(inv: Inventory, secrets: Secrets, m: Managed, **extra: object) -> Plan:
    with audited(m, "plan", **extra) as step:
        plan = plan_device(inv, secrets, m)[1]
        step.change = audit.change_hash(plan.commands)
        step.detail = f"{len(plan.commands)} lines to send"
        return plan


def backup_one(
    store: BackupStore,
    backup: BackupSet,
    secrets: Secrets,
    m: Managed,
    *,
    driver: Driver | None = None,
) -> Path:
    return backup_read(store, backup, secrets, m, driver=driver)[0]


def backup_read(
    store: BackupStore,
    backup: BackupSet,
    secrets: Secrets,
    m: Managed,
    *,
    driver: Driver | None = None,
    login_failed: Exception | None = None,
) -> tuple[Path, str]:
    """backup_one, and the running configuration it read (a push in the same session plans
    from it: push_one's running).

    login_failed: the failure of driver's login, tried ahead of the step (audited as this
    step's failure, as if the step had logged in itself)."""
    with audited(m, "backup", backup_set=backup.id) as step:
        if login_failed is not None:
            raise login_failed
        with session(m, driver) as held:
            text = held.running_config()
        path = store.write(backup, m.device.hostname, text, secrets)
        step.detail = str(path)
        step.facts["backup"] = str(path)
        return path, text


def push_one(
    inv: Inventory,
    secrets: Secrets,
    m: Managed,
    revert_minutes: int,
    *,
    check: bool = False,
    driver: Driver | None = None,
    running: str | None = None,
) -> Plan:
    """Send the plan with the revert timer (check: only plan it, nothing is sent).

    running: the running configuration driver (the same session, the site's lock held) read
    just before, for the backup: planned from instead of read again."""
    if check:
        return plan_one(inv, secrets, m, revert_minutes=revert_minutes)
    with (
        audited(m, "push", revert_minutes=revert_minutes) as step,
        session(m, driver) as conn,
    ):
        text = intended(inv, secrets, m)
        if running is None or driver is None:
            plan = read_plan(conn, text)[1]
        else:
            plan = conn.plan(running, text)
        step.change = audit.change_hash(plan.commands)
        step.detail = f"{len(plan.commands)} lines"
        step.facts["changed"] = plan.changed
        if plan.changed:
            try:
                conn.commit(plan, revert_minutes)
            except DeviceError as exc:
                raise lost.explain(m, exc, revert_minutes) from None
        return plan


def verify_one(
    inv: Inventory, secrets: Secrets, m: Managed, *, driver: Driver | None = None
) -> None:
    """A fresh session (management still reachable), no line left, the driver's own verify.
    driver: a session the caller opened after the push (never the one that pushed: a change
    that cuts management keeps the session it came through)."""
    with audited(m, "verify"), session(m, driver) as conn:
        plan = read_plan(conn, intended(inv, secrets, m))[1]
        if plan.changed:
            raise DeviceError(
                m.device.hostname,
                "verify",
                f"{len(plan.commands)} lines still differ after the push, first: "
                f"{secrets.redact(plan.commands[0])!r}",
                "run `rollout plan` to see them; the device may reject or rewrite those lines",
            )
        conn.verify()


def confirm_one(m: Managed) -> None:
    with audited(m, "confirm"), session(m) as driver:
        driver.confirm()


def save_one(m: Managed) -> None:
    """Write the running configuration to startup: only after confirm_one (COMMIT_ORDER)."""
    with audited(m, "save"), session(m) as driver:
        driver.save()


def confirm_save_one(
    m: Managed, done: list[str] | None = None, *, driver: Driver | None = None
) -> None:
    """confirm_one then save_one in one session (one login instead of two): the save runs only
    once the confirm succeeded (COMMIT_ORDER); one audit line each, as the two steps write.
    Each step that succeeded is appended to done (so a caller can tell which one failed)."""
    done = [] if done is None else done
    with session(m, driver) as conn:  # the driver logs in on its first command, inside the audit
        with audited(m, "confirm"):
            conn.confirm()
        done.append("confirm")
        with audited(m, "save"):
            conn.save()
        done.append("save")


def rollback_one(backup: BackupSet, m: Managed, *, wait_seconds: float = 0.0) -> str:
    """Converge the device to its backup; returns a note for the report ('' when plain).

    When the device cannot be reached (management cut by the push), wait up to wait_seconds
    for its revert timer to restore the old configuration, then converge and check.
    """
    with audited(m, "rollback", backup_set=backup.id) as step:
        text = backup.read(m.device.hostname)
        note = ""
        start = time.monotonic()
        while True:
            try:
                _rollback(backup, m, text, step)
                break
            except DeviceError as exc:
                waited = time.monotonic() - start
                if not lost.may_come_back(exc):
                    raise  # lines that still differ, a refused line: told as they are
                if waited >= wait_seconds:
                    if note:
                        raise DeviceError(
                            m.device.hostname,
                            "rollback",
                            f"management did not come back within {waited:.0f} s ({exc.message})",
                            f"the device's revert timer restores backup {backup.id} by itself; "
                            "check it from the console, then `rollout drift`",
                            kind=exc.kind,
                        ) from None
                    raise
                note = "management was lost after the push; waiting for the device's revert timer"
                time.sleep(min(2.0, max(0.2, wait_seconds - waited)))
        if note:
            note = (
                f"management was lost after the push; the device's revert timer restored it "
                f"after {time.monotonic() - start:.0f} s and it matches backup {backup.id}"
            )
        step.detail = note
        return note


def _rollback(backup: BackupSet, m: Managed, text: str, step: Step) -> None:
    with session(m) as driver:
        driver.rollback(text)
        running = driver.running_config()
        left = driver.plan(running, text)
        step.change = audit.change_hash(left.commands)
        if left.changed:
            raise DeviceError(
                m.device.hostname,
                "rollback",
                f"{len(left.commands)} lines still differ from backup {backup.id}",
                "compare by hand: rollout plan; the backup is kept",
            )
