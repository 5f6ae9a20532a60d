"""The intent of one device: everything its template needs, computed once, in Python.

Templates only lay out text; numbers (QoS rates, masks, ACL entries) are decided here so that
they can be unit-tested and reviewed without reading Jinja. Each platform has a frozen intent
type and its builder, one module each: ``cisco_ios`` (WAN router, LAN switch),
``linux_router``, ``polycom`` (codec), ``vmeeting`` (room client); ``router`` and ``sla`` hold
what the routers share. A template sees exactly the fields of its device's intent
(``template_context``).
"""

from __future__ import annotations

from typing import Any

from rollout.acl import Ace
from rollout.intent.base import (
    DeviceIntent,
    Record,
    host_in,
    net_mask,
    shaped_kbps,
    template_context,
    wan_addresses,
)
from rollout.intent.cisco_ios import (
    MANAGED_ROLES,
    IosIntent,
    IosRouterIntent,
    IosSwitchIntent,
    ios_router_intent,
    ios_switch_intent,
    qos_classes,
)
from rollout.intent.linux_router import (
    DEFAULT_CLASSID,
    LINUX_SYSCTL,
    NFT_LOG_LIMIT,
    LinuxRouterIntent,
    htb_classes,
    linux_interface_names,
    linux_router_intent,
    nft_logged_drop,
    nft_rule,
)
from rollout.intent.polycom import PolycomCodecIntent, polycom_codec_intent
from rollout.intent.router import (
    cloud_marking_acl,
    conference_in_acl,
    router_routes,
    wan_in_acl,
)
from rollout.intent.sla import (
    G711_PACKETS,
    SLA_PACKETS,
    SLA_REACTIONS,
    SlaOperation,
    sla_operations,
    sla_probes,
    sla_reaction,
)
from rollout.intent.vmeeting import RoomClientIntent, room_client_intent
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Codec, Device, Platform, Router, Site, Switch
from rollout.secrets import Secrets

Intent = (
    IosRouterIntent | IosSwitchIntent | LinuxRouterIntent | PolycomCodecIntent | RoomClientIntent
)


def device_intent(inv: Inventory, site: Site, dev: Device, secrets: Secrets) -> Intent:
    """The typed intent of one device, by its platform and role."""
    if isinstance(dev, Router):
        if dev.platform is Platform.LINUX_ROUTER:
            return linux_router_intent(inv, site, dev)
        return ios_router_intent(inv, site, dev, secrets)
    if isinstance(dev, Switch):
        return ios_switch_intent(inv, site, dev, secrets)
    if isinstance(dev, Codec):
        return polycom_codec_intent(inv, site, dev, secrets)
    return room_client_intent(inv, site, dev)


def device_context(inv: Inventory, site: Site, dev: Device, secrets: Secrets) -> dict[str, Any]:
    """What the device's template sees: the fields of its intent, by name."""
    return template_context(device_intent(inv, site, dev, secrets))


__all__ = [
    "DEFAULT_CLASSID",
    "G711_PACKETS",
    "LINUX_SYSCTL",
    "MANAGED_ROLES",
    "NFT_LOG_LIMIT",
    "SLA_PACKETS",
    "SLA_REACTIONS",
    "Ace",
    "DeviceIntent",
    "Intent",
    "IosIntent",
    "IosRouterIntent",
    "IosSwitchIntent",
    "LinuxRouterIntent",
    "PolycomCodecIntent",
    "Record",
    "RoomClientIntent",
    "SlaOperation",
    "cloud_marking_acl",
    "conference_in_acl",
    "device_context",
    "device_intent",
    "host_in",
    "htb_classes",
    "linux_interface_names",
    "net_mask",
    "nft_logged_drop",
    "nft_rule",
    "qos_classes",
    "router_routes",
    "shaped_kbps",
    "sla_operations",
    "sla_probes",
    "sla_reaction",
    "template_context",
    "wan_addresses",
    "wan_in_acl",
]
