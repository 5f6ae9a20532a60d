"""Operations on devices, shared by the CLI (thread pool) and the Ansible module (per host).

Each function does one step for one device and raises DeviceError naming the step.
Every step that reads a plan or changes a device appends a line to the audit log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rollout import audit
from rollout.backups import BackupSet, BackupStore
from rollout.drivers.base import DeviceError, Driver, Plan
from rollout.errors import RolloutError
from rollout.fleet import Result, run_all
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.render import render_device
from rollout.secrets import Secrets
from rollout.targets import Managed, driver_for

# The commit safety order of a rollout (design "Commit safety order"): push with the revert
# timer, verify, confirm, and save last, so that an unconfirmed change never reaches
# startup-config (a controller that dies before the confirm leaves the revert timer to undo it).
# The role site_rollout runs its tasks in this order; tests hold it to that.
COMMIT_ORDER = ("backup", "push", "verify", "confirm", "save")


def intended(inv: Inventory, secrets: Secrets, m: Managed) -> str:
    return render_device(inv, m.site, m.device, secrets).text


def read_plan(driver: Driver, text: str) -> tuple[str, Plan]:
    running = driver.running_config()
    return running, driver.plan(running, text)


class _Step:
    """What an audited step found: its change hash and a detail, filled in as it runs."""

    def __init__(self) -> None:
        self.change = ""
        self.detail = ""


@contextmanager
def audited(m: Managed, action: str, **extra: object) -> Iterator[_Step]:
    """Append one audit line for a step on one device: ok with its change, or the error."""
    step = _Step()
    lab = m.target.where != "live"  # rollout.endpoints.Where: lab or netlab

    def record(result: str, detail: str) -> None:
        audit.record(
            m.root,
            action,
            sites=[m.site.slug],
            devices=[m.device.hostname],
            result=result,
            change=step.change,
            detail=detail,
            target="lab" if lab else "live",
            **extra,
        )

    try:
        yield step
    except BaseException as exc:
        record(
            "failed", str(exc) if isinstance(exc, RolloutError) else f"{type(exc).__name__}: {exc}"
        )
        raise
    record("ok", step.detail)


@contextmanager
def session(m: Managed) -> Iterator[Driver]:
    """The device's driver for one step, closed afterwards whatever happens."""
    driver = driver_for(m.target)
    try:
        yield driver
    finally:
        driver.close()


def plan_one(inv: Inventory, secrets: Secrets, m: Managed) -> Plan:
    with audited(m, "plan") as step:
        with session(m) as driver:
            plan = read_plan(driver, intended(inv, secrets, m))[1]
        step.change = audit.change_hash(plan.commands)
        step.detail = f"{len(plan.commands)} lines to send"
        return plan


def backup_one(store: BackupStore, backup: BackupSet, secrets: Secrets, m: Managed) -> Path:
    with audited(m, "backup", backup_set=backup.id) as step:
        with session(m) as driver:
            text = driver.running_config()
        path = store.write(backup, m.device.hostname, text, secrets)
        step.detail = str(path)
        return path


@dataclass(frozen=True)
class PushResult:
    plan: Plan
    running_before: str


def push_one(
    inv: Inventory, secrets: Secrets, m: Managed, revert_minutes: int, *, check: bool = False
) -> PushResult:
    with (
        audited(m, "plan" if check else "push", revert_minutes=revert_minutes) as step,
        session(m) as driver,
    ):
        running, plan = read_plan(driver, intended(inv, secrets, m))
        step.change = audit.change_hash(plan.commands)
        step.detail = f"{len(plan.commands)} lines"
        if plan.changed and not check:
            try:
                driver.commit(plan, revert_minutes)
            except DeviceError as exc:
                raise _explain_lost(m, exc, revert_minutes) from None
        return PushResult(plan, running)


def _explain_lost(m: Managed, exc: DeviceError, revert_minutes: int) -> DeviceError:
    """A push whose session died: if the device no longer lets us in, say so plainly."""
    if "session failed" not in exc.message:
        return exc
    from dataclasses import replace

    probe = driver_for(replace(m.target, timeout=min(m.target.timeout, 5.0)))
    try:
        probe.connect()
    except DeviceError:
        timer = (
            f"its revert timer restores the old configuration within {revert_minutes} min"
            if m.device.platform is not Platform.POLYCOM
            else "the codec has no revert timer"
        )
        return DeviceError(
            m.device.hostname,
            exc.step,
            f"management was lost after the push (the pushed ACL or addressing cut this "
            f"session and new ones are refused); {timer}",
            "the rollout waits for the device to come back and rolls the site back; then fix "
            "the template that cut management (`rollout lint`, `rollout plan`)",
        )
    finally:
        probe.close()
    return exc


def save_one(m: Managed) -> None:
    """Write the running configuration to startup: only after confirm_one (COMMIT_ORDER)."""
    with audited(m, "save"), session(m) as driver:
        driver.save()


def verify_one(inv: Inventory, secrets: Secrets, m: Managed) -> None:
    """A fresh session (management still reachable), no drift left, the codec registered."""
    with audited(m, "verify"):
        _verify(inv, secrets, m)


def _verify(inv: Inventory, secrets: Secrets, m: Managed) -> None:
    with session(m) as driver:
        _running, plan = read_plan(driver, intended(inv, secrets, m))
        if plan.changed:
            raise DeviceError(
                m.device.hostname,
                "verify",
                f"{len(plan.commands)} lines still differ after the push, first: "
                f"{secrets.redact(plan.commands[0])!r}",
                "run `rollout plan` to see them; the device may reject or rewrite those lines",
            )
        if m.device.platform is Platform.POLYCOM:
            from rollout.drivers.polycom import PolycomDriver

            assert isinstance(driver, PolycomDriver)
            missing = driver.registration_problems()
            if missing:
                raise DeviceError(
                    m.device.hostname,
                    "verify",
                    f"the codec is not registered: {', '.join(missing)}",
                    "check the gatekeeper/registrar addresses and the path to the hub",
                )


def confirm_one(m: Managed) -> None:
    with audited(m, "confirm"), session(m) as driver:
        driver.confirm()


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
                if exc.step != "connect" or "known" in exc.message or waited >= wait_seconds:
                    if note or waited:
                        raise DeviceError(
                            m.device.hostname,
                            "rollback",
                            f"management did not come back within {waited:.0f} s ({exc.message})",
                            f"the device's revert timer restores backup {backup.id} by itself; "
                            "check it from the console, then `rollout drift`",
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


def _rollback(backup: BackupSet, m: Managed, text: str, step: _Step) -> None:
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


R = TypeVar("R")


def for_devices(
    devices: Sequence[Managed],
    work: Callable[[Managed], R],
    *,
    workers: int = 32,
    progress: Callable[[Result[R]], None] | None = None,
) -> list[Result[R]]:
    preload()
    return run_all(devices, lambda m: m.device.hostname, work, workers=workers, progress=progress)


def preload() -> None:
    """Import the SSH stack once, before threads start: importing netmiko from several threads
    at once can hand one of them a partially initialised module (ImportError)."""
    import hier_config  # noqa: F401
    import netmiko  # noqa: F401

    from rollout.drivers import cisco_ios, polycom  # noqa: F401
