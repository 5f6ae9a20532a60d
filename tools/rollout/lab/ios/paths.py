"""Where the device sends a packet: connected subnets and static routes of its config."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from rollout.lab.ios.config import ConfigTree

Net = ipaddress.IPv4Network


@dataclass(frozen=True, slots=True)
class Egress:
    interface: str | None
    """None: no route."""
    next_hop: str | None
    """None: the destination is on a connected subnet."""
    connected: bool


def interface_addresses(tree: ConfigTree) -> dict[str, ipaddress.IPv4Interface]:
    """Primary IPv4 address of every interface that has one, and not shut."""
    out: dict[str, ipaddress.IPv4Interface] = {}
    for node in tree.top("interface"):
        name = node.tokens()[1]
        shut = False
        addr: ipaddress.IPv4Interface | None = None
        for child in node.children or ():
            t = child.tokens()
            if t == ["shutdown"]:
                shut = True
            elif t[:2] == ["ip", "address"] and len(t) == 4 and t[2][0].isdigit():
                addr = ipaddress.IPv4Interface(f"{t[2]}/{t[3]}")
        if addr is not None and not shut:
            out[name] = addr
    return out


def static_routes(tree: ConfigTree) -> list[tuple[Net, str]]:
    out: list[tuple[Net, str]] = []
    for node in tree.top("ip route"):
        t = node.tokens()
        if len(t) >= 5 and t[2][0].isdigit() and t[4][0].isdigit():
            out.append((Net(f"{t[2]}/{t[3]}", strict=False), t[4]))
    return out


def egress(tree: ConfigTree, address: str) -> Egress:
    """The interface (and next hop) a packet to ``address`` leaves by: longest prefix of
    the connected subnets and static routes (resolved recursively once)."""
    ip = ipaddress.IPv4Address(address)
    addrs = interface_addresses(tree)
    best: tuple[int, Egress] | None = None
    for name, iface in addrs.items():
        if ip in iface.network:
            cand = (iface.network.prefixlen, Egress(name, None, True))
            best = cand if best is None or cand[0] > best[0] else best
    for net, hop in static_routes(tree):
        if ip in net and (best is None or net.prefixlen > best[0]):
            via = next(
                (n for n, i in addrs.items() if ipaddress.IPv4Address(hop) in i.network), None
            )
            best = (net.prefixlen, Egress(via, hop, False))
    return best[1] if best is not None else Egress(None, None, False)


def owns(tree: ConfigTree, address: str) -> str | None:
    """The interface holding ``address`` itself, if the device has it."""
    ip = ipaddress.IPv4Address(address)
    return next((n for n, i in interface_addresses(tree).items() if i.ip == ip), None)
