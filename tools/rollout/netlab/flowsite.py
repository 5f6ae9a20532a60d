"""A site's flows through its lab router: the lab's hosts, the flows table, the drop samples.

The flows come from ``rollout.flows.site_flows`` (the site's flows table). Where that module is
absent, the flows are built from the province inputs the ACLs are rendered from
(``conference_ports``, ``media``, ``cloud``, ``noc_prefixes``, ``ntp_servers``, ``sla``), so
the check still runs.
"""

from __future__ import annotations

import importlib
import ipaddress
from collections.abc import Sequence

from rollout.inventory.loader import Inventory
from rollout.inventory.model import Site
from rollout.netlab.flowcheck import (
    DEFAULT_TIMEOUT,
    Flow,
    FlowLike,
    FlowReport,
    Host,
    check_flows,
)
from rollout.netlab.lab import HUB_NS, NTP_PORT, LabState, lan_ns, rtr_ns
from rollout.netlab.ns import NetlabError

SNMP_PORT = 161
SSH_PORT = 22
SLA_CONTROL_PORT = 1967  # Cisco IP SLA responder control port


def lab_hosts(inv: Inventory, state: LabState, slug: str) -> list[Host]:
    """The lab's addresses on the hub/NOC side, on the site's VLANs and on its router."""
    conf = inv.sites[slug].vlan("conference")
    assert conf is not None
    conf_net = ipaddress.IPv4Network(conf.subnet)
    sides = {HUB_NS: "wan", rtr_ns(slug): "router", lan_ns(slug): "lan"}
    hosts = []
    for address, ns in state.hosts.items():
        side = sides.get(ns)
        if side is None:
            continue
        if side == "lan":
            inside = ipaddress.IPv4Address(address) in conf_net
            side = "conference" if inside else "management"
        hosts.append(Host(address, ns, side))
    if not hosts:
        raise NetlabError(
            f"the network lab in {state.folder} records no hosts (made by an older rollout)",
            f"rollout netlab down; rollout netlab up {slug}",
        )
    return hosts


def drop_pairs(state: LabState, slug: str, hosts: Sequence[Host]) -> list[tuple[Host, Host]]:
    """Sender and receiver per chain: WAN-IN forward and input, CONFERENCE-IN forward (to the
    hub and to the cloud) and input."""
    by_address = {h.address: h for h in hosts}
    site, hub = state.sites[slug], state.hub
    router = next(h for h in hosts if h.side == "router")
    names = [
        (hub["mcu"], site.codec),
        (hub["mcu"], router.address),
        (site.codec, hub["mcu"]),
        (site.codec, hub["cloud"]),
        (site.codec, site.conference_gw),
    ]
    return [(by_address[a], by_address[b]) for a, b in names if a in by_address and b in by_address]


def flows_from_inputs(inv: Inventory, site: Site) -> list[Flow]:
    """The flows the province inputs describe, for a site (no flows table available)."""
    p = inv.province
    conf, mgmt = site.vlan("conference"), site.vlan("management")
    hub_conf = inv.hub.vlan("conference")
    assert conf is not None and hub_conf is not None
    here, hub = conf.subnet, hub_conf.subnet
    loop = str(ipaddress.IPv4Network(site.loopback).network_address)
    media = p.media
    codec_media = (media.codec_udp.first, media.codec_udp.last)
    mcu_media = (media.mcu_udp.first, media.mcu_udp.last)
    flows: list[Flow] = []
    for port in p.conference_ports:
        span = (port.first, port.last or port.first)
        if port.protocol == "udp" and span == codec_media:
            continue  # media: the two rows below, with both ends' ranges
        flows.append(Flow(f"{port.purpose} ({port.protocol})", port.protocol, here, hub, span))
    flows += [
        Flow("RTP/RTCP media codec to MCU", "udp", here, hub, mcu_media, codec_media),
        Flow("RTP/RTCP media MCU to codec", "udp", hub, here, codec_media, mcu_media),
    ]
    for prefix in p.cloud.prefixes:
        for port in p.cloud.ports:
            span = (port.first, port.last or port.first)
            flows.append(
                Flow(f"{p.cloud.name} {port.protocol} {span[0]}", port.protocol, here, prefix, span)
            )
    managed = [loop, *([mgmt.subnet] if mgmt else [])]
    for prefix in p.noc_prefixes:
        for target in managed:
            flows.append(
                Flow(f"SSH from NOC {prefix} to {target}", "tcp", prefix, target, (22, 22))
            )
            flows.append(
                Flow(f"SNMP from NOC {prefix} to {target}", "udp", prefix, target, (161, 161))
            )
        flows.append(Flow(f"SSH from NOC {prefix} to the codec", "tcp", prefix, here, (22, 22)))
        flows.append(Flow(f"ping from NOC {prefix}", "icmp", prefix, here))
    ntp = (NTP_PORT, NTP_PORT)
    for server in p.ntp_servers:
        flows.append(Flow(f"NTP router to {server}", "udp", loop, f"{server}/32", ntp, ntp))
        if mgmt is not None:
            flows.append(
                Flow(f"NTP switch to {server}", "udp", mgmt.subnet, f"{server}/32", ntp, ntp)
            )
        flows.append(Flow(f"NTP codec to {server}", "udp", here, f"{server}/32", ntp))
    responder = next((s.address for s in p.services.values() if s.kind == "sla_responder"), None)
    if responder is not None:
        for port in (SLA_CONTROL_PORT, *p.sla.ports()):
            flows.append(
                Flow(
                    f"IP SLA {port} to the responder", "udp", loop, f"{responder}/32", (port, port)
                )
            )
    return flows


def site_flows(inv: Inventory, slug: str) -> list[FlowLike]:
    """The site's flows table (``rollout.flows``), or the flows of the province inputs."""
    site = inv.sites[slug]
    try:
        module = importlib.import_module("rollout.flows")
    except ModuleNotFoundError:
        return list(flows_from_inputs(inv, site))
    flows: list[FlowLike] = list(module.site_flows(inv, site))
    return flows


def check_site(
    inv: Inventory,
    state: LabState,
    slug: str,
    flows: Sequence[FlowLike] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> FlowReport:
    hosts = lab_hosts(inv, state, slug)
    table = site_flows(inv, slug) if flows is None else flows
    return check_flows(table, hosts, drop_pairs(state, slug, hosts), timeout)
