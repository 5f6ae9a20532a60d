"""Operations on devices, shared by the CLI (thread pool) and the Ansible module (per host).

Each function does one step for one device and raises DeviceError naming the step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rollout.backups import BackupSet, BackupStore
from rollout.drivers.base import DeviceError, Driver, Plan
from rollout.fleet import Result, run_all
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.render import render_device
from rollout.secrets import Secrets
from rollout.targets import Managed, driver_for


def intended(inv: Inventory, secrets: Secrets, m: Managed) -> str:
    return render_device(inv, m.site, m.device, secrets).text


def read_plan(driver: Driver, text: str) -> tuple[str, Plan]:
    running = driver.running_config()
    return running, driver.plan(running, text)


def plan_one(inv: Inventory, secrets: Secrets, m: Managed) -> Plan:
    driver = driver_for(m.target)
    try:
        return read_plan(driver, intended(inv, secrets, m))[1]
    finally:
        driver.close()


def backup_one(store: BackupStore, backup: BackupSet, secrets: Secrets, m: Managed) -> Path:
    driver = driver_for(m.target)
    try:
        text = driver.running_config()
    finally:
        driver.close()
    return store.write(backup, m.device.hostname, text, secrets)


@dataclass(frozen=True)
class PushResult:
    plan: Plan
    running_before: str


def push_one(
    inv: Inventory, secrets: Secrets, m: Managed, revert_minutes: int, *, check: bool = False
) -> PushResult:
    driver = driver_for(m.target)
    try:
        running, plan = read_plan(driver, intended(inv, secrets, m))
        if plan.changed and not check:
            driver.commit(plan, revert_minutes)
        return PushResult(plan, running)
    finally:
        driver.close()


def save_one(m: Managed) -> None:
    driver = driver_for(m.target)
    try:
        driver.save()
    finally:
        driver.close()


def verify_one(inv: Inventory, secrets: Secrets, m: Managed) -> None:
    """A fresh session (management still reachable), no drift left, the codec registered."""
    driver = driver_for(m.target)
    try:
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
    finally:
        driver.close()


def confirm_one(m: Managed) -> None:
    driver = driver_for(m.target)
    try:
        driver.confirm()
    finally:
        driver.close()


def rollback_one(backup: BackupSet, m: Managed) -> None:
    text = backup.read(m.device.hostname)
    driver = driver_for(m.target)
    try:
        driver.rollback(text)
        running = driver.running_config()
        left = driver.plan(running, text)
        if left.changed:
            raise DeviceError(
                m.device.hostname,
                "rollback",
                f"{len(left.commands)} lines still differ from backup {backup.id}",
                "compare by hand: rollout plan; the backup is kept",
            )
    finally:
        driver.close()


R = TypeVar("R")


def for_devices(
    devices: Sequence[Managed],
    work: Callable[[Managed], R],
    *,
    workers: int = 32,
    progress: Callable[[Result[R]], None] | None = None,
) -> list[Result[R]]:
    return run_all(devices, lambda m: m.device.hostname, work, workers=workers, progress=progress)
