"""The device steps of a saved plan: make it (read, plan), check it, and push exactly it.

`precheck_one` runs on every device of the plan before the first push (the role's pre-check
task, any error fatal to the whole play); `push_saved` checks again in the session it pushes in
and sends the saved commands, vault references filled in, with the revert timer.
"""

from __future__ import annotations

from rollout import audit
from rollout.drivers.base import DeviceError, Driver, ErrorKind, Plan
from rollout.engine import lost, planfile
from rollout.engine.audited import audited, session
from rollout.engine.planfile import SavedDevice
from rollout.engine.steps import intended, read_plan
from rollout.inventory.loader import Inventory
from rollout.secrets import Secrets
from rollout.targets import Managed


def saved_device(inv: Inventory, secrets: Secrets, m: Managed) -> SavedDevice:
    """Read the device and plan it, as a plan file stores it (an audited 'plan' step)."""
    text = intended(inv, secrets, m)
    with audited(m, "plan", saved=True) as step, session(m) as driver:
        running, plan = read_plan(driver, text)
        step.change = audit.change_hash(plan.commands)
        step.detail = f"{len(plan.commands)} lines to send"
    platform = str(m.device.platform.value)
    return SavedDevice(
        hostname=m.device.hostname,
        site=m.site.slug,
        platform=platform,
        running=planfile.running_hash(platform, running, secrets),
        intended=planfile.intended_hash(text, secrets),
        commands=planfile.saved_commands(plan.commands, secrets, m.device.hostname),
        added=planfile.counted(plan)[0],
        removed=planfile.counted(plan)[1],
    )


def _refuse(m: Managed, step: str, why: list[str]) -> DeviceError:
    return DeviceError(
        m.device.hostname,
        step,
        f"does not match the saved plan: {'; '.join(why)}",
        "nothing was pushed; review the change, then make a new plan with "
        "`rollout plan SITE --out FILE` and apply that one",
        kind=ErrorKind.REFUSED,
    )


def precheck_one(
    inv: Inventory,
    secrets: Secrets,
    m: Managed,
    saved: SavedDevice,
    *,
    driver: Driver | None = None,
    login_failed: Exception | None = None,
) -> None:
    """Refuse (DeviceError naming the device) when the device or its intent changed.

    login_failed: the failure of driver's login, tried ahead (audited as this check's)."""
    text = intended(inv, secrets, m)
    with (
        audited(m, "plan-check", running_hash=saved.running) as step,
        session(m, driver) as conn,
    ):
        if login_failed is not None:
            raise login_failed
        running = conn.running_config()
        why = planfile.check_same(saved, running, text, secrets)
        if why:
            raise _refuse(m, "plan-check", why)
        step.detail = f"matches the plan ({len(saved.commands)} lines to send)"


def push_saved(
    inv: Inventory,
    secrets: Secrets,
    m: Managed,
    revert_minutes: int,
    saved: SavedDevice,
    *,
    driver: Driver | None = None,
) -> Plan:
    """Check again, then send exactly the saved commands with the revert timer."""
    text = intended(inv, secrets, m)
    with (
        audited(m, "push", revert_minutes=revert_minutes, saved=True) as step,
        session(m, driver) as conn,
    ):
        running, plan = read_plan(conn, text)
        why = planfile.check_same(saved, running, text, secrets)
        stored = planfile.saved_commands(plan.commands, secrets, m.device.hostname)
        if not why and stored != saved.commands:
            why = ["the commands planned now differ from the saved ones"]
        if why:
            raise _refuse(m, "plan-check", why)
        where = f"plan for {m.device.hostname}"
        exact = Plan(
            device=plan.device,
            platform=plan.platform,
            commands=tuple(planfile.refill(c, secrets, where) for c in saved.commands),
            removed=plan.removed,
            added=plan.added,
            unmanaged=plan.unmanaged,
        )
        step.change = audit.change_hash(exact.commands)
        step.detail = f"{len(exact.commands)} lines (saved plan)"
        if exact.changed:
            try:
                conn.commit(exact, revert_minutes)
            except DeviceError as exc:
                raise lost.explain(m, exc, revert_minutes) from None
        return exact
