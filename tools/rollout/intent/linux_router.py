"""The intent of a linux_router: the Cisco router's intent in Linux terms (tc HTB, nftables,
FRR), for the bundle of templates/linux_router/."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from rollout.acl import ICMP_TYPES, PORT_BY_NAME, Ace
from rollout.intent.base import (
    DeviceIntent,
    IPv4Net,
    Record,
    host_in,
    identity,
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
from rollout.inventory.loader import Inventory
from rollout.inventory.model import DSCP_NAMES, Platform, Router, Site

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


@dataclass(frozen=True)
class HtbClass(Record):
    """One HTB class under the shaper's root class (and its pfifo, and its DSCP filters)."""

    name: str
    classid: int
    kbps: int
    ceil_kbps: int
    prio: int
    dscp: tuple[str, ...]
    tos: tuple[int, ...]  # the DSCP values as ToS bytes, for the u32 filters
    description: str


@dataclass(frozen=True)
class LinuxSubinterface(Record):
    name: str
    vlan_id: int
    vlan_name: str
    prefix: str  # the gateway address with the VLAN's prefix length


RuleSections = tuple[tuple[str, tuple[str, ...]], ...]
"""Chain sections: (comment, the nftables rules under it; a rule may span lines, one rule a
line)."""


@dataclass(frozen=True, kw_only=True)
class LinuxRouterIntent(DeviceIntent):
    wan_ifname: str
    lan_ifname: str
    conference_ifname: str
    wan_provider: str
    wan_rate_kbps: int
    wan_prefix: str
    wan_peer: str
    loopback_prefix: str
    linux_subinterfaces: tuple[LinuxSubinterface, ...]
    linux_routes: tuple[str, ...]  # prefixes routed through the WAN peer
    htb: tuple[HtbClass, ...]
    # The root class's rate and ceil: the shaped share of the contract, like the Cisco shaper.
    htb_root_kbps: int
    htb_default: int
    nft_wan_in: RuleSections
    nft_conference_in: RuleSections
    nft_cloud_marking: RuleSections  # matches only: the template adds the marking
    cloud_dscp: str
    nft_noc6_prefixes: tuple[str, ...]
    nft_ipv6_in_drop: str
    nft_ipv6_forward_drop: str
    linux_sysctl: tuple[tuple[str, str], ...]


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


def htb_classes(inv: Inventory, site: Site) -> tuple[HtbClass, ...]:
    """HTB classes from the QoS plan: priority classes get prio 0 and are capped at their rate
    (like LLQ's policer under congestion); the others borrow up to the shaped rate (the same
    share of the contract as the Cisco shaper, ``shaped_kbps``)."""
    rate = shaped_kbps(inv, site)
    classes: list[HtbClass] = []
    for n, c in enumerate(inv.province.qos.classes, start=1):
        kbps = max(rate * c.percent // 100, 8)
        classes.append(
            HtbClass(
                name=c.name,
                classid=10 * n,
                kbps=kbps,
                ceil_kbps=kbps if c.priority else rate,
                prio=0 if c.priority else 1,
                dscp=tuple(c.dscp),
                tos=tuple(DSCP_NAMES[d] << 2 for d in c.dscp),
                description=c.description,
            )
        )
    reserved = sum(c.kbps for c in classes)
    classes.append(
        HtbClass(
            name="class-default",
            classid=DEFAULT_CLASSID,
            kbps=max(rate - reserved, 8),
            ceil_kbps=rate,
            prio=2,
            dscp=(),
            tos=(),
            description="everything else",
        )
    )
    return tuple(classes)


def _rule_sections(sections: list[tuple[str, list[Ace]]], log_prefix: str) -> RuleSections:
    return tuple(
        (remark, tuple(nft_rule(a, log_prefix=log_prefix) for a in aces))
        for remark, aces in sections
    )


def linux_router_intent(inv: Inventory, site: Site, dev: Router) -> LinuxRouterIntent:
    p = inv.province
    wan, lan = linux_interface_names(dev)
    link = IPv4Net(site.wan.link)
    conf = required_vlan(inv, site, "conference")
    peer, own = wan_addresses(site.wan.link)
    cloud = tuple(
        nft_rule(Ace("permit", a.protocol, a.source, a.destination, a.port)).replace(
            " counter accept", ""
        )
        for a in cloud_marking_acl(inv, site)
    )
    return LinuxRouterIntent(
        **identity(inv, site, dev),
        wan_ifname=wan,
        lan_ifname=lan,
        conference_ifname=f"{lan}.{conf.id}",
        wan_provider=site.wan.provider,
        wan_rate_kbps=site.wan.rate_kbps,
        wan_prefix=f"{own}/{link.prefixlen}",
        wan_peer=peer,
        loopback_prefix=f"{IPv4Net(site.loopback).network_address}/32",
        linux_subinterfaces=tuple(
            LinuxSubinterface(
                name=f"{lan}.{v.id}",
                vlan_id=v.id,
                vlan_name=v.name,
                prefix=f"{host_in(v.subnet, p.pools.hosts.gateway)}/{IPv4Net(v.subnet).prefixlen}",
            )
            for v in site.vlans
        ),
        linux_routes=tuple(str(IPv4Net(n)) for n, _name in router_routes(inv, site)),
        htb=htb_classes(inv, site),
        htb_root_kbps=shaped_kbps(inv, site),
        htb_default=DEFAULT_CLASSID,
        nft_wan_in=_rule_sections(wan_in_acl(inv, site), "WAN-IN drop: "),
        nft_conference_in=_rule_sections(conference_in_acl(inv, site), "CONFERENCE-IN drop: "),
        nft_cloud_marking=(
            (f"{p.cloud.name} traffic arrives unmarked: mark it {p.cloud.dscp}", cloud),
        ),
        cloud_dscp=p.cloud.dscp,
        nft_noc6_prefixes=tuple(
            n for n in p.noc_prefixes if ipaddress.ip_network(n, strict=False).version == 6
        ),
        nft_ipv6_in_drop=nft_logged_drop("IPV6-IN drop: "),
        nft_ipv6_forward_drop=nft_logged_drop("IPV6-FORWARD drop: "),
        linux_sysctl=LINUX_SYSCTL,
    )
