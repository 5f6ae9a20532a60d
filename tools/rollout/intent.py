"""The intent of one device: everything its template needs, computed once, in Python.

Templates only lay out text; numbers (QoS rates, masks, ACL entries) are decided here so that
they can be unit-tested and reviewed without reading Jinja.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

from rollout.inventory.loader import Inventory
from rollout.inventory.model import (
    DSCP_NAMES,
    Codec,
    Device,
    Level,
    Platform,
    PortRange,
    Role,
    Router,
    Site,
    SlaProbes,
    Switch,
)
from rollout.secrets import Secrets, cisco_type9

IPv4Net = ipaddress.IPv4Network


@dataclass(frozen=True)
class Ace:
    """One access-control entry in IOS terms (rendered verbatim by the templates)."""

    action: str
    protocol: str
    source: str
    destination: str
    port: str = ""
    extra: str = ""

    def line(self) -> str:
        parts = [self.action, self.protocol, self.source, self.destination, self.port, self.extra]
        return " ".join(p for p in parts if p)


@functools.lru_cache(maxsize=1 << 16)
def ios_net(net: str | IPv4Net) -> str:
    """An IOS ACL operand: 'host A', 'any' or 'A wildcard' (cached: a fleet repeats them)."""
    n = IPv4Net(net)
    if n.prefixlen == 32:
        return f"host {n.network_address}"
    if n.prefixlen == 0:
        return "any"
    return f"{n.network_address} {n.hostmask}"


def ios_port(port: PortRange) -> str:
    names = {"udp": {123: "ntp", 161: "snmp", 514: "syslog"}, "tcp": {22: "22"}}
    if port.last is None or port.last == port.first:
        return f"eq {names.get(port.protocol, {}).get(port.first, port.first)}"
    return f"range {port.first} {port.last}"


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


def qos_classes(inv: Inventory, site: Site) -> list[dict[str, Any]]:
    rate = site.wan.rate_kbps
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


def _hub_services(inv: Inventory) -> dict[str, str]:
    return {kind: s.address for s in inv.province.services.values() for kind in [s.kind]}


def wan_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the WAN: management only from the NOC, conference only from hub and cloud."""
    p = inv.province
    hub = inv.hub
    loop = ios_net(site.loopback)
    conf = site.vlan("conference")
    mgmt = site.vlan("management")
    assert conf is not None and mgmt is not None  # guaranteed by checks
    sections: list[tuple[str, list[Ace]]] = []
    noc = [
        Ace("permit", proto, ios_net(prefix), dst, port)
        for prefix in p.noc_prefixes
        for proto, dst, port in (
            ("tcp", loop, "eq 22"),
            ("udp", loop, "eq snmp"),
            ("tcp", ios_net(mgmt.subnet), "eq 22"),
            ("udp", ios_net(mgmt.subnet), "eq snmp"),
            ("tcp", ios_net(conf.subnet), "eq 22"),
            ("icmp", "any", ""),
        )
    ]
    sections.append(("management from the NOC prefixes only", noc))
    sections.append(
        (
            "time from the province NTP servers",
            [Ace("permit", "udp", f"host {ntp} eq ntp", loop) for ntp in p.ntp_servers],
        )
    )
    if site.level is not Level.HUB:
        hub_conf = hub.vlan("conference")
        assert hub_conf is not None
        conference = [
            Ace(
                "permit",
                port.protocol,
                ios_net(hub_conf.subnet),
                ios_net(conf.subnet),
                ios_port(port),
            )
            for port in p.conference_ports
        ]
        sections.append(("conference signalling and media from the hub only", conference))
        responder = p.services.get("sla-tinh")
        sla_src = ios_net(f"{responder.address}/32") if responder else ios_net(hub.loopback)
        sections.append(
            (
                "IP SLA replies from the hub responder",
                [
                    Ace("permit", "udp", f"{sla_src} eq 1967", loop),
                    *(Ace("permit", "udp", f"{sla_src} eq {port}", loop) for port in p.sla.ports()),
                ],
            )
        )
    else:
        sites_pool = ios_net(p.pools.site_lan)
        conference = [
            Ace("permit", port.protocol, sites_pool, ios_net(conf.subnet), ios_port(port))
            for port in p.conference_ports
        ]
        sections.append(("conference signalling and media from the sites", conference))
        sections.append(
            (
                "IP SLA probes from the site routers to the responder",
                [
                    Ace("permit", "udp", ios_net(p.pools.loopbacks), loop, "eq 1967"),
                    *(
                        Ace("permit", "udp", ios_net(p.pools.loopbacks), loop, f"eq {port}")
                        for port in p.sla.ports()
                    ),
                ],
            )
        )
    cloud = [
        Ace(
            "permit",
            port.protocol,
            f"{ios_net(prefix)} {ios_port(port)}",
            ios_net(conf.subnet),
            extra="established" if port.protocol == "tcp" else "",
        )
        for prefix in p.cloud.prefixes
        for port in p.cloud.ports
    ]
    sections.append((f"{p.cloud.name} replies to the room client", cloud))
    sections.append(
        ("everything else is dropped and logged", [Ace("deny", "ip", "any", "any", extra="log")])
    )
    return sections


def conference_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the conference VLAN: it may reach the hub conference VLAN and the cloud only."""
    p = inv.province
    conf = site.vlan("conference")
    assert conf is not None
    src = ios_net(conf.subnet)
    far = (
        ios_net(p.pools.site_lan)
        if site.level is Level.HUB
        else ios_net(next(v.subnet for v in inv.hub.vlans if v.name == "conference"))
    )
    sections: list[tuple[str, list[Ace]]] = [
        (
            "conference signalling and media to the hub services",
            [Ace("permit", port.protocol, src, far, ios_port(port)) for port in p.conference_ports],
        ),
        (
            f"{p.cloud.name} (main path)",
            [
                Ace("permit", port.protocol, src, f"{ios_net(prefix)} {ios_port(port)}")
                for prefix in p.cloud.prefixes
                for port in p.cloud.ports
            ],
        ),
        (
            "replies to the NOC and time",
            [
                Ace("permit", "tcp", f"{src} eq 22", ios_net(n), extra="established")
                for n in p.noc_prefixes
            ]
            + [Ace("permit", "udp", src, f"host {ntp}", "eq ntp") for ntp in p.ntp_servers]
            + [Ace("permit", "icmp", src, ios_net(n)) for n in p.noc_prefixes],
        ),
        ("everything else is dropped and logged", [Ace("deny", "ip", "any", "any", extra="log")]),
    ]
    return sections


def cloud_marking_acl(inv: Inventory, site: Site) -> list[Ace]:
    conf = site.vlan("conference")
    assert conf is not None
    return [
        Ace("permit", port.protocol, ios_net(conf.subnet), f"{ios_net(prefix)} {ios_port(port)}")
        for prefix in inv.province.cloud.prefixes
        for port in inv.province.cloud.ports
    ]


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
            (str(IPv4Net(n).network_address), str(IPv4Net(n).hostmask)) for n in p.noc_prefixes
        ],
        "location": f"{site.name}, {p.name}",
    }


def _router(inv: Inventory, site: Site, dev: Router, secrets: Secrets) -> dict[str, Any]:
    p = inv.province
    link = IPv4Net(site.wan.link)
    peer, own = (link.network_address + 1, link.network_address + 2)
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
        "wan_address": str(own),
        "wan_mask": str(link.netmask),
        "wan_peer": str(peer),
        "loopback_address": str(IPv4Net(site.loopback).network_address),
        "subinterfaces": subifs,
        "routes": [(*net_mask(n), name) for n, name in routes],
        "qos": qos_classes(inv, site),
        "shape_bps": site.wan.rate_kbps * 1000,
        "wan_in": wan_in_acl(inv, site),
        "conference_in": conference_in_acl(inv, site),
        "cloud_marking": cloud_marking_acl(inv, site),
        "is_hub": site.level is Level.HUB,
        "sla": [
            {"id": op, "name": f"{cls} to hub", "port": port, "tos": dscp[cls], "codec": codec}
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
    from rollout.errors import RolloutError
    from rollout.secrets import VAULT_FILE

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

IOS_PORT_NAMES = {"ntp": 123, "snmp": 161, "syslog": 514}
DEFAULT_CLASSID = 99


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
        return str(IOS_PORT_NAMES.get(value, value)), tokens[2:]
    if tokens and tokens[0] == "range":
        return f"{tokens[1]}-{tokens[2]}", tokens[3:]
    return "", tokens


def nft_rule(ace: Ace, *, log_prefix: str = "") -> str:
    """One IOS access-control entry as an nftables rule (stateless, like the IOS list)."""
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
    parts.append("counter")
    if "log" in tokens and log_prefix:
        parts.append(f'log prefix "{log_prefix}"')
    parts.append("accept" if ace.action == "permit" else "drop")
    return " ".join(parts)


def linux_interface_names(dev: Router) -> tuple[str, str]:
    """WAN and LAN interface names on a Linux router (a Cisco router's lab twin gets wan0/lan0)."""
    if dev.platform is Platform.LINUX_ROUTER:
        return dev.wan_interface, dev.lan_interface
    return "wan0", "lan0"


def htb_classes(inv: Inventory, site: Site) -> list[dict[str, Any]]:
    """HTB classes from the QoS plan: priority classes get prio 0 and are capped at their rate
    (like LLQ's policer under congestion); the others borrow up to the shaped rate."""
    rate = site.wan.rate_kbps
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
        "wan_prefix": f"{link.network_address + 2}/{link.prefixlen}",
        "loopback_prefix": f"{IPv4Net(site.loopback).network_address}/32",
        "linux_routes": [(str(IPv4Net(n)), name) for n, name in routes],
        "htb": htb_classes(inv, site),
        "htb_default": DEFAULT_CLASSID,
        "nft_wan_in": [
            (remark, [nft_rule(a, log_prefix="WAN-IN drop: ") for a in aces])
            for remark, aces in wan_in_acl(inv, site)
        ],
        "nft_conference_in": [
            (remark, [nft_rule(a, log_prefix="CONFERENCE-IN drop: ") for a in aces])
            for remark, aces in conference_in_acl(inv, site)
        ],
        "nft_cloud_marking": cloud,
        "cloud_dscp": p.cloud.dscp,
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
