"""Drift at fleet scale: read every device through the engine's one read step, on the one
worker pool, and compare it with its intended configuration through the driver's own plan
(so drift means exactly "a rollout would send these lines"). Read-only.

A device that cannot be read is a result with a kind (unreachable, auth, timeout, host_key,
error), never an exception; transient failures (RETRIED) are tried again.
"""

from __future__ import annotations

import contextlib
import fnmatch
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from rollout.drift.allow import AllowList, apply_allow
from rollout.drift.report import DeviceDrift, Kind, Line, Report, State
from rollout.drivers.base import DeviceError, ErrorKind, Plan
from rollout.errors import RolloutError
from rollout.fleet import Result, run_one
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform
from rollout.secrets import Secrets
from rollout.targets import Managed

RETRIED = frozenset({ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT, ErrorKind.SESSION_LOST})
"""Kinds worth another attempt; a refused login or a changed host key is not."""

REPORTED: dict[ErrorKind, ErrorKind] = {
    ErrorKind.SESSION_LOST: ErrorKind.UNREACHABLE,  # the device went away while being read
    ErrorKind.REFUSED: ErrorKind.ERROR,  # a read command refused: the driver's problem
}
"""The kinds a drift report names (unreachable, auth, timeout, host_key, error)."""


def classify(exc: DeviceError | RolloutError) -> Kind:
    """The report's kind of a failure, from the kind the driver set where it failed."""
    kind = exc.kind if isinstance(exc, DeviceError) else ErrorKind.ERROR
    return REPORTED.get(kind, kind)


def reading(inv: Inventory, secrets: Secrets) -> Callable[[Managed], Plan]:
    """The work of one device: the engine's read step, write-only lines left out."""
    from rollout.engine.steps import plan_device

    def read(m: Managed) -> Plan:
        plan = plan_device(inv, secrets, m)[1]
        if m.device.platform is Platform.CISCO_IOS:
            from rollout.drivers.ios_rules import WRITE_ONLY

            # Write-only lines ride along with any real change; on their own they are no drift.
            plan = replace(
                plan, commands=tuple(c for c in plan.commands if not WRITE_ONLY.match(c))
            )
        return plan

    return read


def device_drift(
    m: Managed, result: Result[Plan], allow: AllowList, secrets: Secrets
) -> DeviceDrift:
    """One device's drift from its pool result."""
    base = DeviceDrift(
        m.device.hostname,
        m.site.slug,
        m.device.platform.value,
        m.device.role.value,
        State.CLEAN,
        seconds=result.seconds,
        attempts=result.attempts,
    )
    if not result.ok or result.value is None:
        kind = REPORTED.get(result.kind or ErrorKind.ERROR, result.kind or ErrorKind.ERROR)
        return replace(
            base, state=State.ERROR, kind=kind, error=secrets.redact(result.error), fix=result.fix
        )
    plan = result.value
    state, lines = apply_allow(m.device.hostname, plan, allow)
    if plan.unconfirmed:  # a change pushed and not confirmed is never clean
        state, lines = State.DRIFT, (*lines, Line(f"! unconfirmed: {plan.unconfirmed}"))
    return replace(
        base,
        state=state,
        lines=tuple(replace(x, text=secrets.redact(x.text)) for x in lines),
        unmanaged=tuple(secrets.redact(x) for x in plan.unmanaged),
    )


def check_one(
    inv: Inventory, secrets: Secrets, m: Managed, allow: AllowList, *, retries: int = 1
) -> DeviceDrift:
    """One device: read, compare, classify. Never raises for device trouble."""
    result = run_one(m, m.device.hostname, reading(inv, secrets), retries=retries, retried=RETRIED)
    return device_drift(m, result, allow, secrets)


def select(
    devices: Sequence[Managed],
    *,
    platforms: Sequence[str] = (),
    roles: Sequence[str] = (),
    names: Sequence[str] = (),
) -> list[Managed]:
    """Devices whose platform and role are among those given (all when none), names by glob."""
    return [
        m
        for m in devices
        if (not platforms or m.device.platform.value in platforms)
        and (not roles or m.device.role.value in roles)
        and (not names or any(fnmatch.fnmatchcase(m.device.hostname, n) for n in names))
    ]


def warm(inv: Inventory, secrets: Secrets, devices: Sequence[Managed]) -> None:
    """Render one device of each template before the pool starts.

    Jinja2 compiles a template (and what it extends or includes) on first use and caches it;
    threads that start together all miss the cache and compile it each (a router template
    costs ~35 ms cold, ~2 ms warm). A failure here is left to that device's own check.
    """
    from rollout.drivers.ios_same import rules
    from rollout.render import render_device, template_name

    rules()
    first: dict[str, Managed] = {}
    for m in devices:
        first.setdefault(template_name(m.device), m)
    for m in first.values():
        with contextlib.suppress(Exception):
            render_device(inv, m.site, m.device, secrets)


def check(
    inv: Inventory,
    secrets: Secrets,
    devices: Sequence[Managed],
    *,
    allow: AllowList | None = None,
    workers: int = 32,
    retries: int = 1,
    progress: Callable[[DeviceDrift], None] | None = None,
) -> Report:
    """Drift of every device, in the order given, on a pool of `workers` threads."""
    from rollout import audit
    from rollout.engine.pool import for_devices, preload

    allow = allow or AllowList()
    by_name = {m.device.hostname: m for m in devices}
    preload()
    start = time.monotonic()
    warm(inv, secrets, devices)

    def each(result: Result[Plan]) -> DeviceDrift:
        return device_drift(by_name[result.device], result, allow, secrets)

    results = for_devices(
        devices,
        reading(inv, secrets),
        workers=workers,
        progress=(lambda r: progress(each(r))) if progress is not None else None,
        retries=retries,
        retried=RETRIED,
    )
    report = Report([each(r) for r in results], time.monotonic() - start, workers)
    root = devices[0].root if devices else None
    audit.record(
        root,
        "drift",
        sites=sorted({m.site.slug for m in devices}),
        devices=[d.device for d in report.devices if d.state is not State.CLEAN],
        result="ok" if report.exit_code != 1 else "failed",
        detail=", ".join(f"{n} {s}" for s, n in report.counts.items() if n),
    )
    return report
