"""The intent of a Cisco IOS device: the WAN router (templates/cisco_ios/wan_router.j2) and the
LAN switch (lan_switch.j2); both share the base, management and services of ``IosIntent``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rollout import flows
from rollout.acl import Ace
from rollout.intent.base import (
    DeviceIntent,
    IPv4Net,
    Record,
    host_in,
    identity,
    net_mask,
    required_vlan,
    shaped_kbps,
    wan_addresses,
)
from rollout.intent.router import (
    cloud_marking_acl,
    conference_in_acl,
    router_routes,
    wan_in_acl,
)
from rollout.intent.sla import SlaOperation, sla_operations, sla_responder
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Level, Role, Router, Site, Switch
from rollout.secrets import Secrets, cisco_type9

# The roles of the flows table whose devices carry NOC-MGMT (templates/cisco_ios/_services.j2).
MANAGED_ROLES: dict[Role, str] = {Role.WAN_ROUTER: "router", Role.LAN_SWITCH: "switch"}

# Where IOS keeps configuration archives when the province names no path for the device: the
# switch's archive (templates/cisco_ios/_base.j2) always goes to flash.
SWITCH_ARCHIVE = "flash:archive/"


@dataclass(frozen=True, kw_only=True)
class IosIntent(DeviceIntent):
    """Base configuration, management access and services of an IOS device."""

    timezone: str
    domain: str
    admin_user: str
    admin_secret9: str
    enable_secret9: str
    archive_path: str  # prefix of the archive files, hostname included
    noc_prefixes: tuple[tuple[str, str], ...]  # NOC-MGMT: (network, wildcard)
    mgmt_interface: str  # source of logging, traps and NTP
    syslog_servers: tuple[str, ...]
    snmp_group: str
    snmp_user: str
    snmp_auth: str
    snmp_priv: str
    snmp_managers: tuple[str, ...]
    snmp_ipsla_traps: bool  # the device runs IP SLA operations
    location: str
    province_name: str
    ntp_servers: tuple[str, ...]


@dataclass(frozen=True)
class QueueClass(Record):
    """One class of the WAN-QUEUING policy."""

    name: str
    dscp: str  # the match dscp values, space-separated
    percent: int
    priority: bool
    kbps: int  # its share of the shaped rate
    description: str


@dataclass(frozen=True)
class Subinterface(Record):
    """A dot1Q sub-interface of the router's LAN port: one VLAN's gateway."""

    name: str
    vlan_id: int
    vlan_name: str
    address: str
    mask: str
    conference: bool  # the conference VLAN: CONFERENCE-IN and the cloud marking apply


@dataclass(frozen=True)
class VlanEntry(Record):
    id: int
    name: str


@dataclass(frozen=True)
class Route(Record):
    network: str
    mask: str
    name: str


AclSections = tuple[tuple[str, tuple[Ace, ...]], ...]
"""Access-list sections: (remark, the entries under it), rendered verbatim (``Ace.line()``)."""


@dataclass(frozen=True, kw_only=True)
class IosRouterIntent(IosIntent):
    wan_interface: str
    lan_interface: str
    wan_provider: str
    wan_rate_kbps: int
    wan_address: str
    wan_mask: str
    wan_peer: str
    loopback_address: str
    subinterfaces: tuple[Subinterface, ...]
    routes: tuple[Route, ...]
    qos: tuple[QueueClass, ...]
    shape_bps: int
    cloud_name: str
    cloud_dscp: str
    cloud_marking: tuple[Ace, ...]
    conference_in: AclSections
    wan_in: AclSections
    sla: tuple[SlaOperation, ...]
    sla_responder: str | None
    sla_frequency_s: int
    is_hub: bool


@dataclass(frozen=True, kw_only=True)
class IosSwitchIntent(IosIntent):
    vlans: tuple[VlanEntry, ...]
    codec_port: str
    codec_name: str
    room_client_port: str
    room_client_name: str
    uplink: str
    router_name: str
    conference_vlan: int
    trunk_vlans: str
    mgmt_vlan: int
    mgmt_address: str
    mgmt_mask: str
    gateway: str


def qos_classes(inv: Inventory, site: Site) -> tuple[QueueClass, ...]:
    rate = shaped_kbps(inv, site)
    return tuple(
        QueueClass(
            name=c.name.upper(),
            dscp=" ".join(c.dscp),
            percent=c.percent,
            priority=c.priority,
            kbps=rate * c.percent // 100,
            description=c.description,
        )
        for c in inv.province.qos.classes
    )


def management_sources(inv: Inventory, site: Site, device: Device) -> list[str]:
    """NOC-MGMT: who the flows table lets reach this device's SSH and SNMP."""
    role = MANAGED_ROLES.get(device.role)
    if role is None:
        return list(inv.province.noc_prefixes)
    return flows.management_sources(inv, site, role)


def _ios_common(
    inv: Inventory,
    site: Site,
    device: Device,
    secrets: Secrets,
    *,
    mgmt_interface: str,
    archive_path: str,
    ipsla: bool,
) -> dict[str, Any]:
    p = inv.province
    seed = secrets[p.credentials.hash_seed]
    return identity(inv, site, device) | {
        "timezone": p.timezone,
        "domain": p.domain,
        "admin_user": p.credentials.admin_user,
        "admin_secret9": cisco_type9(secrets[p.credentials.admin_password], seed),
        "enable_secret9": cisco_type9(secrets[p.credentials.enable_secret], seed),
        "archive_path": archive_path,
        "noc_prefixes": tuple(
            (str(IPv4Net(n).network_address), str(IPv4Net(n).hostmask))
            for n in management_sources(inv, site, device)
        ),
        "mgmt_interface": mgmt_interface,
        "syslog_servers": tuple(p.syslog_servers),
        "snmp_group": p.snmp.group,
        "snmp_user": p.snmp.user,
        "snmp_auth": secrets[p.credentials.snmp_auth],
        "snmp_priv": secrets[p.credentials.snmp_priv],
        "snmp_managers": tuple(p.snmp.managers),
        "snmp_ipsla_traps": ipsla,
        "location": f"{site.name}, {p.name}",
        "province_name": p.name,
        "ntp_servers": tuple(p.ntp_servers),
    }


def _acl_sections(sections: list[tuple[str, list[Ace]]]) -> AclSections:
    return tuple((remark, tuple(aces)) for remark, aces in sections)


def ios_router_intent(inv: Inventory, site: Site, dev: Router, secrets: Secrets) -> IosRouterIntent:
    p = inv.province
    link = IPv4Net(site.wan.link)
    peer, own = wan_addresses(site.wan.link)
    gateway = p.pools.hosts.gateway
    sla = sla_operations(inv, site)
    return IosRouterIntent(
        **_ios_common(
            inv,
            site,
            dev,
            secrets,
            mgmt_interface="Loopback0",
            archive_path=f"{p.archive_path}{dev.hostname}-",
            ipsla=bool(sla),
        ),
        wan_interface=dev.wan_interface,
        lan_interface=dev.lan_interface,
        wan_provider=site.wan.provider,
        wan_rate_kbps=site.wan.rate_kbps,
        wan_address=own,
        wan_mask=str(link.netmask),
        wan_peer=peer,
        loopback_address=str(IPv4Net(site.loopback).network_address),
        subinterfaces=tuple(
            Subinterface(
                name=f"{dev.lan_interface}.{v.id}",
                vlan_id=v.id,
                vlan_name=v.name,
                address=host_in(v.subnet, gateway),
                mask=str(IPv4Net(v.subnet).netmask),
                conference=v.name == "conference",
            )
            for v in site.vlans
        ),
        routes=tuple(Route(*net_mask(n), name) for n, name in router_routes(inv, site)),
        qos=qos_classes(inv, site),
        shape_bps=shaped_kbps(inv, site) * 1000,
        cloud_name=p.cloud.name,
        cloud_dscp=p.cloud.dscp,
        cloud_marking=tuple(cloud_marking_acl(inv, site)),
        conference_in=_acl_sections(conference_in_acl(inv, site)),
        wan_in=_acl_sections(wan_in_acl(inv, site)),
        sla=sla,
        sla_responder=sla_responder(inv),
        sla_frequency_s=p.sla.frequency_s,
        is_hub=site.level is Level.HUB,
    )


def ios_switch_intent(inv: Inventory, site: Site, dev: Switch, secrets: Secrets) -> IosSwitchIntent:
    mgmt = required_vlan(inv, site, "management")
    conference = required_vlan(inv, site, "conference")
    codec = site.device(Role.CODEC)
    room_client = site.device(Role.ROOM_CLIENT)
    router = site.device(Role.WAN_ROUTER)
    return IosSwitchIntent(
        **_ios_common(
            inv,
            site,
            dev,
            secrets,
            mgmt_interface=f"Vlan{mgmt.id}",
            archive_path=f"{SWITCH_ARCHIVE}{dev.hostname}-",
            ipsla=False,
        ),
        vlans=tuple(VlanEntry(v.id, v.name) for v in site.vlans),
        codec_port=dev.codec_port,
        codec_name=codec.hostname if codec else "codec",
        room_client_port=dev.room_client_port,
        room_client_name=room_client.hostname if room_client else "room client",
        uplink=dev.uplink,
        router_name=router.hostname if router else "the router",
        conference_vlan=conference.id,
        trunk_vlans=",".join(str(v.id) for v in site.vlans),
        mgmt_vlan=mgmt.id,
        mgmt_address=dev.mgmt_address,
        mgmt_mask=str(IPv4Net(mgmt.subnet).netmask),
        gateway=host_in(mgmt.subnet, inv.province.pools.hosts.gateway),
    )
