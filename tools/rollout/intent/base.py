"""What every platform's intent shares: the record type, the device's identity, address helpers.

An intent is a frozen dataclass per platform (`rollout.intent.cisco_ios`, ``linux_router``,
``polycom``, ``vmeeting``): the only values its templates see. Numbers, masks and lists are
decided in Python; templates only lay out text, and never read the inventory model.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, fields
from typing import Any

from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Site, Vlan, shaped_rate_kbps

IPv4Net = ipaddress.IPv4Network


@dataclass(frozen=True)
class Record:
    """A frozen record of an intent; its fields can also be read by name (``r["kbps"]``)."""

    def __getitem__(self, key: str) -> Any:
        if key not in {f.name for f in fields(self)}:
            raise KeyError(key)
        return getattr(self, key)


@dataclass(frozen=True, kw_only=True)
class DeviceIntent(Record):
    """Who the device is and where its intent comes from (every template's header)."""

    hostname: str
    source_file: str  # the site file, as shown to people (inventory/sites/SLUG.yml)
    site_slug: str


def identity(inv: Inventory, site: Site, device: Device) -> dict[str, Any]:
    """The DeviceIntent fields of one device, for a platform's builder to extend."""
    return {
        "hostname": device.hostname,
        "source_file": inv.display(site.slug),
        "site_slug": site.slug,
    }


def template_context(intent: DeviceIntent) -> dict[str, Any]:
    """The names a template sees: exactly the intent's fields (a fresh dict; lists for its
    sequences, so a caller may change a copy without touching the intent)."""
    out: dict[str, Any] = {}
    for f in fields(intent):
        value = getattr(intent, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def net_mask(net: str) -> tuple[str, str]:
    n = IPv4Net(net)
    return str(n.network_address), str(n.netmask)


def host_in(net: str, offset: int) -> str:
    return str(IPv4Net(net).network_address + offset)


def wan_addresses(link: str) -> tuple[str, str]:
    """(provider edge, site router) on a WAN link: the one place both router contexts take
    them from.

    A /30 has two hosts, .1 and .2 (network and broadcast are unusable): the provider edge
    takes .1, the site router .2. A /31 (RFC 3021, "Using 31-Bit Prefixes on IPv4
    Point-to-Point Links") has no network or broadcast address: its two addresses are the
    network address and the next one; in the same spirit the provider edge takes the lower,
    the site router the higher. Cisco IOS and IOS-XE accept a /31 on a point-to-point
    interface (``ip address A 255.255.255.254``, IOS 12.2(2)T and later: "Using 31-Bit
    Prefixes on IPv4 Point-to-Point Links",
    https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/ipaddr_ipv4/configuration/xe-16/ipv4-xe-16-book/ip-31-bit-prefixes.html).
    """
    net = IPv4Net(link)
    if net.prefixlen == 31:
        return str(net.network_address), str(net.network_address + 1)
    if net.prefixlen == 30:
        return str(net.network_address + 1), str(net.network_address + 2)
    raise ValueError(f"WAN link {link} must be a /30 or a /31")


def shaped_kbps(inv: Inventory, site: Site) -> int:
    """The rate the WAN shaper sends at: qos.shape_percent of the contracted rate, leaving the
    provider's layer-2 overhead room inside the contract (class percentages are of this)."""
    return shaped_rate_kbps(site.wan.rate_kbps, inv.province.qos.shape_percent)


def required_vlan(inv: Inventory, site: Site, name: str) -> Vlan:
    """The site's VLAN of that name; a clear error when the site file has none."""
    vlan = site.vlan(name)
    if vlan is None:
        raise RolloutError(
            f"{inv.display(site.slug)}: vlans: the site has no {name} VLAN",
            f"add the {name} VLAN to the site's vlans (see pools.lan_layout in the province file)",
        )
    return vlan
