"""Gather a site's evidence: every device read at once, each by its platform's collector.

A collector is a function ``(CollectContext, Managed) -> list[Fact]``; it raises a
`DeviceError` when the device cannot be read, which becomes an `Unreached` naming the segment
that failure points to (a switch that does not answer points to the LAN, a router to the WAN,
a codec to the endpoint). Collectors only read: show commands, pings, the codec's status API.

The codec and linux_router collectors live in their own modules, imported when first needed;
a platform whose collector is not installed is skipped with a note (no fact, no failure).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from rollout.diagnose.context import CollectContext, Collector, CollectorMissing, Where, lazy
from rollout.diagnose.expect import expectations
from rollout.diagnose.hubfile import HUBVIEW
from rollout.diagnose.model import Fact, Segment, SiteEvidence, Unreached
from rollout.drivers.base import DeviceError
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform, Role
from rollout.secrets import Secrets
from rollout.targets import Managed

__all__ = ["COLLECTORS", "CollectContext", "Collector", "collect_devices", "collect_site"]

WORKERS = 8
"""Devices of one site read at once (a site has at most four managed devices)."""
DEVICE_TIMEOUT = 12.0
"""Seconds to connect to a device or get an answer; a diagnosis must come within a minute."""


COLLECTORS: dict[Platform, Collector] = {
    Platform.CISCO_IOS: lazy("rollout.diagnose.collect_ios:collect"),
    Platform.POLYCOM: lazy("rollout.diagnose.collect_codec:collect"),
    Platform.LINUX_ROUTER: lazy("rollout.diagnose.collect_linux:collect"),
}
"""Each platform's collector; each module is imported on first use."""

SEGMENT_OF_ROLE: dict[Role, Segment] = {
    Role.WAN_ROUTER: "wan",
    Role.LAN_SWITCH: "lan",
    Role.CODEC: "endpoint",
    Role.ROOM_CLIENT: "endpoint",
}
"""The segment a device that does not answer points to."""


def read_device(ctx: CollectContext, m: Managed) -> tuple[list[Fact], Unreached | None]:
    """One device's facts, or the reason it could not be read."""
    collect = COLLECTORS.get(m.device.platform)
    if collect is None:
        ctx.notes.append(f"{m.device.hostname}: no collector for {m.device.platform.value}")
        return [], None
    segment = SEGMENT_OF_ROLE.get(m.device.role, "lan")
    try:
        return collect(ctx, m), None
    except CollectorMissing as exc:
        ctx.notes.append(f"{m.device.hostname}: {exc.message}; its evidence was skipped")
        return [], None
    except DeviceError as exc:
        error = ctx.secrets.redact(exc.message)
        return [], Unreached(m.device.hostname, segment, error, exc.kind.value)
    except RolloutError as exc:
        return [], Unreached(m.device.hostname, segment, ctx.secrets.redact(exc.message), "error")


def collect_devices(
    ctx: CollectContext,
    site: str,
    devices: list[Managed],
    *,
    workers: int = WORKERS,
    hub: Managed | None = None,
    hubview: Path | None = None,
) -> SiteEvidence:
    """Read the devices in parallel (a bounded pool) into one SiteEvidence; with ``hub`` (the
    hub's WAN router) or ``hubview`` (the network lab's hub file), the hub's side too
    (`rollout.diagnose.collect_hub`; not in a light collection)."""
    # Netmiko imported here, once, before the threads: two threads importing it at the same
    # moment can meet its modules half-initialised (ImportError from a circular import).
    import netmiko  # noqa: F401

    from rollout.diagnose.collect_hub import hub_facts

    start = time.monotonic()
    taken = datetime.now(UTC).isoformat(timespec="seconds")
    facts: list[Fact] = []
    unreached: list[Unreached] = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(devices) + 1))) as pool:
        hub_side = (
            pool.submit(hub_facts, ctx, site, hub, hubview)
            if (hub is not None or hubview is not None) and not ctx.light
            else None
        )
        for got, missed in pool.map(lambda m: read_device(ctx, m), devices):
            facts.extend(got)
            if missed is not None:
                unreached.append(missed)
        if hub_side is not None:
            facts.extend(hub_side.result())
    return SiteEvidence(
        site=site,
        taken_at=taken,
        facts=tuple(facts),
        unreached=tuple(unreached),
        seconds=time.monotonic() - start,
        light=ctx.light,
    )


def hub_router(
    inv: Inventory,
    secrets: Secrets,
    *,
    lab: Path | None,
    netlab: Path | None,
    notes: list[str],
    timeout: float = DEVICE_TIMEOUT,
) -> Managed | None:
    """The hub's Cisco WAN router where it is reached (None in the network lab, which has its
    hub file, or when the lab does not hold the hub: a note says so)."""
    from rollout.targets import managed_devices

    if netlab is not None:
        return None
    try:
        hub = managed_devices(inv, [inv.province.hub], secrets, lab=lab, timeout=timeout)
    except RolloutError as exc:
        notes.append(f"the hub's side not read: {exc.message}")
        return None
    return next(
        (
            m
            for m in hub
            if m.device.role is Role.WAN_ROUTER and m.device.platform is Platform.CISCO_IOS
        ),
        None,
    )


def collect_site(
    inv: Inventory,
    site: str,
    where: Where,
    secrets: Secrets,
    *,
    light: bool = False,
    root: Path,
    lab_dir: Path | None = None,
    netlab_dir: Path | None = None,
    timeout: float | None = None,
    notes: list[str] | None = None,
) -> SiteEvidence:
    """The evidence of one site, read where ``where`` says (real network, lab twin, netlab).

    lab_dir / netlab_dir: the labs' state folders (default: found as every command does).
    notes: when given, collects what was skipped and why (shown to people, not evidence).
    """
    from rollout.targets import lab_dir as find_lab
    from rollout.targets import managed_devices
    from rollout.targets import netlab_dir as find_netlab

    lab = find_lab(root, lab_dir or where.lab_dir) if (where.lab or lab_dir) else None
    netlab = (
        find_netlab(root, netlab_dir or where.netlab_dir) if (where.netlab or netlab_dir) else None
    )
    devices = managed_devices(
        inv,
        [site],
        secrets,
        lab=lab,
        netlab=netlab,
        timeout=DEVICE_TIMEOUT if timeout is None else timeout,
    )
    ctx = CollectContext(inv, secrets, light, expectations(inv, site), root)
    hub = hub_router(inv, secrets, lab=lab, netlab=netlab, notes=ctx.notes)
    hubview = netlab / HUBVIEW if netlab is not None else None
    evidence = collect_devices(ctx, site, devices, hub=hub, hubview=hubview)
    if notes is not None:
        notes.extend(ctx.notes)
    return evidence
