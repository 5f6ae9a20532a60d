"""A device answered for by another platform: the network lab runs a ``linux_router`` in place
of a site's WAN router (its Linux twin, rendered and pushed as a linux_router).

The endpoint of a device says which platform answers for its name (``rollout.endpoints``); this
module turns the inventory's device into the one that platform is. What changes is data: the
platform and the interface names of the twin.
"""

from __future__ import annotations

from collections.abc import Mapping

from rollout.errors import RolloutError
from rollout.inventory.model import Device, Platform, Role, Router, Site

# The Linux twin of a router names its ports wan0 and lan0 (the network lab's veth ends; a real
# linux_router names its own in the site file).
STAND_INS: Mapping[Platform, Mapping[str, str]] = {
    Platform.LINUX_ROUTER: {"wan_interface": "wan0", "lan_interface": "lan0"},
}


def stand_in(device: Device, platform: Platform) -> Device:
    """The device as ``platform`` runs it: itself when it is that platform already."""
    if device.platform is platform:
        return device
    changes = STAND_INS.get(platform)
    if changes is None or not isinstance(device, Router):
        raise RolloutError(
            f"{device.hostname}: no {platform.value} can stand in for a "
            f"{device.platform.value} {device.role.value}",
            "only a linux_router stands in, for a site's WAN router",
        )
    return device.model_copy(update={"platform": platform, **changes})


def wan_router(site: Site, platform: Platform = Platform.LINUX_ROUTER) -> Router:
    """The site's WAN router as ``platform`` runs it (by default its linux_router twin)."""
    router = site.device(Role.WAN_ROUTER)
    if not isinstance(router, Router):
        raise RolloutError(
            f"site {site.slug} has no WAN router", f"add one to inventory/sites/{site.slug}.yml"
        )
    twin = stand_in(router, platform)
    assert isinstance(twin, Router)
    return twin
