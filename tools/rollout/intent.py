"""The intent of one device: everything its template needs, computed once, in Python.

Templates only lay out text; numbers (QoS rates, masks, ACL entries) are decided here so that
they can be unit-tested and reviewed without reading Jinja.
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any

from rollout import flows
from rollout.acl import ICMP_TYPES, PORT_BY_NAME, Ace
from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import (
    DSCP_NAMES,
    Codec,
    Device,
    Level,
    Platform,
    Role,
    Router,
    Site,
    SlaProbes,
    Switch,
    Thresholds,
    shaped_rate_kbps,
)
from rollout.secrets import VAULT_FILE, Secrets, cisco_type9

IPv4Net = ipaddress.IPv4Network


def net_mask(net: str) -> tuple[str, str]:
    n = IPv4Net(net)
    return str(n.network_address), str(n.netmask)


def host_in(net: str, offset: int) -> str:
    return str(IPv4Net(net).network_address + offset)


def sla_probes(sla: SlaProbes) -> list[tuple[int, str, int, bool]]:
    """The router's IP SLA operations: (id, conference class, port, codec-shaped), one per class.

    The EF probe imitates a G.711 call (``codec g711alaw``: MOS and ICPIF on the router); the
    others send 100 packets every 20 ms, marked with their class so they cross its queue.
    """
    return [
        (10, "EF", sla.port_ef, True),
        (20, "AF41", sla.port_video, False),
        (30, "CS3", sla.port_signalling, False),
        (40, "DEFAULT", sla.port_default, False),
    ]


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


# One IP SLA threshold reaction per probe: the metric its class is judged by. IOS accepts
# several monitored elements per operation (the no form takes ``react <element>``), but the
# lab twin keeps one reaction-configuration line per operation; one each keeps the two equal.
# Syntax: "ip sla reaction-configuration", Cisco IOS IP SLAs Command Reference,
# https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/ipsla/command/sla-cr-book/sla_i1.html and
# "Configuring Proactive Threshold Monitoring for IP SLAs Operations", IP SLAs Configuration
# Guide, https://www.cisco.com/c/en/us/td/docs/ios-xml/ios/ipsla/configuration/15-mt/sla-15-mt-book/sla_threshold_mon.html
# (element names rtt, jitterAvg, packetLossSD, mos; threshold-value <upper> <lower>).
SLA_REACTIONS: dict[str, str] = {
    "EF": "mos",  # the g711alaw probe computes MOS; falls below the province minimum
    "AF41": "jitterAvg",  # interactive video: jitter
    "CS3": "rtt",  # signalling: round trip (twice the one-way budget)
    "DEFAULT": "packetLossSD",  # loss towards the hub, in packets of the probe's 100
}
SLA_PACKETS = 100  # num-packets of the non-codec probes (see the template)
G711_PACKETS = 1000  # packets of a ``codec g711alaw`` probe (IOS default, 20 ms each)


def sla_reaction(element: str, thresholds: Thresholds, packets: int) -> tuple[int, int]:
    """(upper, lower) of one reaction from the province thresholds.

    IOS raises the event when the value crosses the upper value and clears it below the
    lower one; MOS is given in hundredths (CISCO-RTTMON-MIB rttMonLatestJitterOperMOS,
    100..500) and is judged the other way round: the event is raised when MOS falls below
    the lower value and cleared above the upper one (unconfirmed on a device).
    """
    if element == "mos":
        low = round(thresholds.mos_min * 100)
        return min(500, low + 20), low
    if element == "jitterAvg":
        up = max(1, round(thresholds.jitter_ms))
        return up, max(0, round(up * 0.8))
    if element == "rtt":
        up = max(1, round(2 * thresholds.one_way_delay_ms))
        return up, round(up * 0.8)
    if element == "packetLossSD":
        return max(1, math.ceil(thresholds.loss_percent * packets / 100)), 0
    raise ValueError(f"no threshold for IP SLA element {element!r}")


def qos_classes(inv: Inventory, site: Site) -> list[dict[str, Any]]:
    rate = shaped_kbps(inv, site)
    return [
        {
            "name": c.name.upper(),
            "dscp": " ".join(c.dscp),
            "percent": c.percent,
            "priority": c.priority,
            "kbps": rate * c.percent // 100,
            "description": c.description,
        }
        for c in inv.province.qos.classes
    ]


def wan_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the WAN: the requests the flows table opens towards the site and the replies
    of the flows the site opens (derived in flows.py)."""
    return flows.acl_sections(inv, site, flows.WAN_IN)


def conference_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the conference VLAN: what the codec and the room client open, and their
    replies to what the hub and the NOC open (derived in flows.py)."""
    return flows.acl_sections(inv, site, flows.CONFERENCE_IN)


def cloud_marking_acl(inv: Inventory, site: Site) -> list[Ace]:
    """CLOUD-MEETING: the room client's traffic to the cloud service, marked on LAN ingress."""
    return flows.marking_aces(inv, site)


# The roles of the flows table whose devices carry NOC-MGMT (templates/cisco_ios/_services.j2).
MANAGED_ROLES: dict[Role, str] = {Role.WAN_ROUTER: "router", Role.LAN_SWITCH: "switch"}


def _management_sources(inv: Inventory, site: Site, device: Device) -> list[str]:
    """NOC-MGMT: who the flows table lets reach this device's SSH and SNMP."""
    role = MANAGED_ROLES.get(device.role)
    if role is None:
        return list(inv.province.noc_prefixes)
    return flows.management_sources(inv, site, role)


def _common(inv: Inventory, site: Site, device: Device, secrets: Secrets) -> dict[str, Any]:
    p = inv.province
    seed = secrets[p.credentials.hash_seed]
    return {
        "province": p,
        "site": site,
        "device": device,
        "source_file": inv.display(site.slug),
        "admin_user": p.credentials.admin_user,
        "admin_secret9": cisco_type9(secrets[p.credentials.admin_password], seed),
        "enable_secret9": cisco_type9(secrets[p.credentials.enable_secret], seed),
        "snmp_auth": secrets[p.credentials.snmp_auth],
        "snmp_priv": secrets[p.credentials.snmp_priv],
        "noc_prefixes": [
            (str(IPv4Net(n).network_address), str(IPv4Net(n).hostmask))
            for n in _management_sources(inv, site, device)
        ],
        "location": f"{site.name}, {p.name}",
    }


def _router(inv: Inventory, site: Site, dev: Router, secrets: Secrets) -> dict[str, Any]:
    p = inv.province
    link = IPv4Net(site.wan.link)
    peer, own = wan_addresses(site.wan.link)
    hosts = p.pools.hosts
    subifs = [
        {
            "name": f"{dev.lan_interface}.{v.id}",
            "vlan": v,
            "address": host_in(v.subnet, hosts.gateway),
            "mask": str(IPv4Net(v.subnet).netmask),
        }
        for v in site.vlans
    ]
    routes = _router_routes(inv, site)
    responder = next((s.address for s in p.services.values() if s.kind == "sla_responder"), None)
    dscp = {name.upper(): value << 2 for name, value in DSCP_NAMES.items()}
    return {
        "wan_address": own,
        "wan_mask": str(link.netmask),
        "wan_peer": peer,
        "loopback_address": str(IPv4Net(site.loopback).network_address),
        "subinterfaces": subifs,
        "routes": [(*net_mask(n), name) for n, name in routes],
        "qos": qos_classes(inv, site),
        "shape_bps": shaped_kbps(inv, site) * 1000,
        "wan_in": wan_in_acl(inv, site),
        "conference_in": conference_in_acl(inv, site),
        "cloud_marking": cloud_marking_acl(inv, site),
        "is_hub": site.level is Level.HUB,
        "sla": [
            {
                "id": op,
                "name": f"{cls} to hub",
                "port": port,
                "tos": dscp[cls],
                "codec": codec,
                "react": SLA_REACTIONS[cls],
                "threshold": sla_reaction(
                    SLA_REACTIONS[cls], p.thresholds, G711_PACKETS if codec else SLA_PACKETS
                ),
            }
            for op, cls, port, codec in sla_probes(p.sla)
        ]
        if site.level is not Level.HUB and responder
        else [],
        "sla_responder": responder,
        "archive_path": f"{p.archive_path}{dev.hostname}-",
    }


def _switch(inv: Inventory, site: Site, dev: Switch) -> dict[str, Any]:
    mgmt = site.vlan("management")
    assert mgmt is not None
    return {
        "mgmt_vlan": mgmt,
        "mgmt_mask": str(IPv4Net(mgmt.subnet).netmask),
        "gateway": host_in(mgmt.subnet, inv.province.pools.hosts.gateway),
        "trunk_vlans": ",".join(str(v.id) for v in site.vlans),
        "codec": site.device(Role.CODEC),
        "room_client": site.device(Role.ROOM_CLIENT),
        "router": site.device(Role.WAN_ROUTER),
        "conference_vlan": site.vlan("conference"),
    }


def _codec(inv: Inventory, site: Site, dev: Codec, secrets: Secrets) -> dict[str, Any]:
    p = inv.province
    dscp = DSCP_NAMES
    voice = next(c for c in p.qos.classes if c.priority)
    video = next(c for c in p.qos.classes if c.name == p.qos.video_class)
    signalling = next((c for c in p.qos.classes if "cs3" in c.dscp), None)
    conf = site.vlan("conference")
    assert conf is not None
    low, high = 1024, 49150  # what 'tcpports set' / 'udpports set' accept (docs/codec.md)
    for proto, span in (("tcp", p.media.codec_tcp), ("udp", p.media.codec_udp)):
        if not low <= span.first <= high:
            raise RolloutError(
                f"inventory/province.yml: media.codec_{proto}.first is {span.first}; the codec "
                f"takes a fixed-port base in {low}..{high}",
                f"set media.codec_{proto}.first inside that range (the default is 3230)",
            )
    sip_password = secrets[p.credentials.codec_sip_password]
    if not sip_password or any(ch in sip_password for ch in '"\r\n'):
        raise RolloutError(
            f"the vault's {p.credentials.codec_sip_password} cannot be sent through the codec's "
            "API (empty, or it holds a double quote or a line break)",
            f"choose another value with `ansible-vault edit {VAULT_FILE}`",
        )
    return {
        "gatekeeper": p.services[dev.gatekeeper].address,
        "registrar": p.services[dev.registrar].address,
        "dscp_audio": dscp[voice.dscp[0]],
        "dscp_video": dscp[video.dscp[0]],
        "dscp_fecc": dscp[signalling.dscp[0]] if signalling else dscp["cs3"],
        # The codec sits untagged on the switch's access port in the conference VLAN
        # (lan_switch.j2), so it gets its address, mask and gateway there and no VLAN tag.
        "address": dev.mgmt_address,
        "gateway": host_in(conf.subnet, p.pools.hosts.gateway),
        "mask": str(IPv4Net(conf.subnet).netmask),
        # Fixed ports: the codec takes the base of each range; the ACLs open the whole range.
        "tcp_base": p.media.codec_tcp.first,
        "udp_base": p.media.codec_udp.first,
        # The SIP digest password; the admin password is the API login itself (targets.py).
        "sip_password": sip_password,
    }


# --- linux_router: the same intent in Linux terms (tc HTB, nftables, FRR) --------------------

DEFAULT_CLASSID = 99
# How often a drop is logged. A limit is a match: "A limit uses a token bucket filter to match
# packets: only until its rate is exceeded" (https://wiki.nftables.org/wiki-nftables/index.php/
# Limits; nft(8), LIMIT STATEMENT; default burst 5 packets), so the log gets a rule of its own
# before the drop: a rule `limit ... log ... drop` would let every packet over the rate through.
# `log prefix`: nft(8), LOG STATEMENT; https://wiki.nftables.org/wiki-nftables/index.php/
# Logging_traffic
NFT_LOG_LIMIT = "limit rate 10/minute burst 5 packets"
# What the router forwards: IPv4 only (ip-sysctl.rst, ip_forward); nftables drops IPv6 transit.
LINUX_SYSCTL = (("net.ipv4.ip_forward", "1"),)


def _nft_operand(tokens: list[str]) -> tuple[str, list[str]]:
    """One IOS ACL address operand ('any', 'host A', 'A W') as a prefix; the rest of tokens."""
    if tokens[0] == "any":
        return "", tokens[1:]
    if tokens[0] == "host":
        return tokens[1], tokens[2:]
    net = IPv4Net(f"{tokens[0]}/{tokens[1]}")
    return str(net), tokens[2:]


def _nft_port(tokens: list[str]) -> tuple[str, list[str]]:
    if tokens and tokens[0] == "eq":
        value = tokens[1]
        return str(PORT_BY_NAME.get(value, value)), tokens[2:]
    if tokens and tokens[0] == "range":
        return f"{tokens[1]}-{tokens[2]}", tokens[3:]
    return "", tokens


def nft_logged_drop(log_prefix: str, match: str = "") -> str:
    """A drop logged at most at NFT_LOG_LIMIT: two rules, one a line (the log, then the drop)."""
    head = f"{match} " if match else ""
    return f'{head}{NFT_LOG_LIMIT} log prefix "{log_prefix}"\n{head}counter drop'


def nft_rule(ace: Ace, *, log_prefix: str = "") -> str:
    """One IOS access-control entry as nftables rules (stateless, like the IOS list).

    One rule, except for a logged deny with a log_prefix: two rules on two lines
    (``nft_logged_drop``); templates lay out each line of a rule string as a rule.
    """
    tokens = " ".join(p for p in (ace.source, ace.destination, ace.port, ace.extra) if p).split()
    src, tokens = _nft_operand(tokens)
    sport, tokens = _nft_port(tokens)
    dst, tokens = _nft_operand(tokens)
    dport, tokens = _nft_port(tokens)
    parts: list[str] = []
    if ace.protocol in ("tcp", "udp"):
        parts.append(f"meta l4proto {ace.protocol}")
    elif ace.protocol == "icmp":
        parts.append("meta l4proto icmp")
    if src:
        parts.append(f"ip saddr {src}")
    if dst:
        parts.append(f"ip daddr {dst}")
    if sport:
        parts.append(f"{ace.protocol} sport {sport}")
    if dport:
        parts.append(f"{ace.protocol} dport {dport}")
    if "established" in tokens:
        parts.append("tcp flags & (ack | rst) != 0")
    icmp = [t for t in tokens if t in ICMP_TYPES]
    if icmp:  # nft names ICMP type 8 echo-request (IOS: echo), type 0 echo-reply
        parts.append(f"icmp type {'echo-request' if icmp[0] == 'echo' else icmp[0]}")
    if ace.action != "permit" and "log" in tokens and log_prefix:
        return nft_logged_drop(log_prefix, " ".join(parts))
    parts.append("counter")
    parts.append("accept" if ace.action == "permit" else "drop")
    return " ".join(parts)


def linux_interface_names(dev: Router) -> tuple[str, str]:
    """WAN and LAN interface names on a Linux router (a Cisco router's lab twin gets wan0/lan0)."""
    if dev.platform is Platform.LINUX_ROUTER:
        return dev.wan_interface, dev.lan_interface
    return "wan0", "lan0"


def htb_classes(inv: Inventory, site: Site) -> list[dict[str, Any]]:
    """HTB classes from the QoS plan: priority classes get prio 0 and are capped at their rate
    (like LLQ's policer under congestion); the others borrow up to the shaped rate (the same
    share of the contract as the Cisco shaper, ``shaped_kbps``)."""
    rate = shaped_kbps(inv, site)
    classes: list[dict[str, Any]] = []
    for n, c in enumerate(inv.province.qos.classes, start=1):
        kbps = max(rate * c.percent // 100, 8)
        classes.append(
            {
                "name": c.name,
                "classid": 10 * n,
                "kbps": kbps,
                "ceil_kbps": kbps if c.priority else rate,
                "prio": 0 if c.priority else 1,
                "dscp": c.dscp,
                "tos": [DSCP_NAMES[d] << 2 for d in c.dscp],
                "description": c.description,
            }
        )
    reserved = sum(int(c["kbps"]) for c in classes)
    classes.append(
        {
            "name": "class-default",
            "classid": DEFAULT_CLASSID,
            "kbps": max(rate - reserved, 8),
            "ceil_kbps": rate,
            "prio": 2,
            "dscp": [],
            "tos": [],
            "description": "everything else",
        }
    )
    return classes


def _linux_router(inv: Inventory, site: Site, dev: Router) -> dict[str, Any]:
    p = inv.province
    wan, lan = linux_interface_names(dev)
    link = IPv4Net(site.wan.link)
    conf = site.vlan("conference")
    assert conf is not None
    routes = _router_routes(inv, site)
    cloud = [
        nft_rule(Ace("permit", a.protocol, a.source, a.destination, a.port)).replace(
            " counter accept", ""
        )
        for a in cloud_marking_acl(inv, site)
    ]
    return {
        "wan_ifname": wan,
        "lan_ifname": lan,
        "conference_ifname": f"{lan}.{conf.id}",
        "linux_subinterfaces": [
            {
                "name": f"{lan}.{v.id}",
                "vlan": v,
                "prefix": f"{host_in(v.subnet, p.pools.hosts.gateway)}/"
                f"{IPv4Net(v.subnet).prefixlen}",
            }
            for v in site.vlans
        ],
        "wan_prefix": f"{wan_addresses(site.wan.link)[1]}/{link.prefixlen}",
        "loopback_prefix": f"{IPv4Net(site.loopback).network_address}/32",
        "linux_routes": [(str(IPv4Net(n)), name) for n, name in routes],
        "htb": htb_classes(inv, site),
        # The root class's rate and ceil: the shaped share of the contract, like the Cisco shaper.
        "htb_root_kbps": shaped_kbps(inv, site),
        "htb_default": DEFAULT_CLASSID,
        "nft_wan_in": [
            (remark, [nft_rule(a, log_prefix="WAN-IN drop: ") for a in aces])
            for remark, aces in wan_in_acl(inv, site)
        ],
        "nft_conference_in": [
            (remark, [nft_rule(a, log_prefix="CONFERENCE-IN drop: ") for a in aces])
            for remark, aces in conference_in_acl(inv, site)
        ],
        "nft_cloud_marking": [
            (f"{p.cloud.name} traffic arrives unmarked: mark it {p.cloud.dscp}", cloud)
        ],
        "cloud_dscp": p.cloud.dscp,
        "nft_noc6_prefixes": [
            n for n in p.noc_prefixes if ipaddress.ip_network(n, strict=False).version == 6
        ],
        "nft_ipv6_in_drop": nft_logged_drop("IPV6-IN drop: "),
        "nft_ipv6_forward_drop": nft_logged_drop("IPV6-FORWARD drop: "),
        "linux_sysctl": LINUX_SYSCTL,
    }


def _router_routes(inv: Inventory, site: Site) -> list[tuple[str, str]]:
    p = inv.province
    if site.level is Level.HUB:
        routes = [(p.pools.site_lan, "SITES"), (p.pools.loopbacks, "SITE-LOOPBACKS")]
    else:
        routes = [(inv.hub.block, "HUB-LAN"), (inv.hub.loopback, "HUB-LOOPBACK")]
    routes += [(n, "NOC") for n in p.noc_prefixes]
    routes += [(n, "CLOUD-MEETING") for n in p.cloud.prefixes]
    return routes


def device_context(inv: Inventory, site: Site, dev: Device, secrets: Secrets) -> dict[str, Any]:
    ctx = _common(inv, site, dev, secrets)
    if isinstance(dev, Router):
        ctx.update(_router(inv, site, dev, secrets))
        if dev.platform is Platform.LINUX_ROUTER:  # interface names, HTB and nftables
            ctx.update(_linux_router(inv, site, dev))
    elif isinstance(dev, Switch):
        ctx.update(_switch(inv, site, dev))
    elif isinstance(dev, Codec):
        ctx.update(_codec(inv, site, dev, secrets))
    return ctx
