"""The lab's traffic model of one IOS device: per-second rates of every counter.

Pure: from the running config and the lab's conditions (rollout.lab.conditions) to the rate
at which each counter grows. :mod:`rollout.lab.ios.network` integrates them over time, so
two readings a few seconds apart differ exactly as much as the conditions say; a healthy port
only sees its small background traffic grow (keepalives, CDP, management), never an error.

Counter keys: ``if:<interface>:<counter>``, ``pc:<interface>:<direction>:<path>:<what>``
(``path`` is ``policy/class`` or ``parent/class/child/class``), ``acl:<name>:<seq>``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from rollout.lab.conditions import (
    DSCP_VALUES,
    Bleach,
    Condition,
    DuplexMismatch,
    Flow,
    Load,
    Media,
    PortErrors,
    ProviderDrops,
)
from rollout.lab.ios import qos
from rollout.lab.ios.acl_match import acl_entries, first_match
from rollout.lab.ios.config import ConfigTree, Node, is_physical
from rollout.lab.ios.paths import egress

BACKGROUND_PPS = 2.0
BACKGROUND_BYTES = 96
"""A connected port's own background traffic (lab model)."""
MISMATCH_RATES = {"collisions": 3.0, "late_collision": 1.0, "deferred": 2.0, "runts": 1.0}
"""Half-duplex side of a duplex mismatch, per second: collisions, late collisions and
deferrals while the full-duplex far end transmits over our frames, and the runts of the
frames it aborts (Cisco, "Troubleshooting Switch Port and Interface Problems": late
collisions and runts on the half-duplex side; CRC errors on the full-duplex side). The
rates are the lab's."""


@dataclass(frozen=True, slots=True)
class PortInfo:
    name: str
    shutdown: bool
    cabled: bool
    duplex: str
    """``Full``, ``Half`` or ``Auto``."""
    speed_mbps: int
    description: str


@dataclass(slots=True)
class Traffic:
    rates: dict[str, float] = field(default_factory=dict)
    ports: dict[str, PortInfo] = field(default_factory=dict)
    policies: dict[tuple[str, str], qos.PolicyLoad] = field(default_factory=dict)
    provider_loss: float = 0.0
    """Percent of what the WAN sends that the provider's policer drops."""
    class_loss: dict[int, float] = field(default_factory=dict)
    """Percent dropped by our own output policy on the WAN, by DSCP."""
    wan: str | None = None
    wan_out_kbps: float = 0.0

    def add(self, key: str, rate: float) -> None:
        self.rates[key] = self.rates.get(key, 0.0) + rate


def port_info(node: Node, conds: Iterable[Condition]) -> PortInfo:
    name = node.tokens()[1]
    shutdown = cabled = False
    duplex, speed, desc = "Full", 1000, ""
    for child in node.children or ():
        t = child.tokens()
        if t == ["shutdown"]:
            shutdown = True
        elif t[0] == "description":
            desc = child.text.split(None, 1)[1] if len(t) > 1 else ""
            cabled = True
        elif (t[:2] == ["ip", "address"] and len(t) > 2) or t[:2] == ["switchport", "mode"]:
            cabled = True
        elif t[0] == "speed" and len(t) == 2 and t[1].isdigit():
            speed = int(t[1])
        elif t[0] == "duplex" and len(t) == 2 and t[1] in ("half", "full"):
            duplex = t[1].capitalize()
    for c in conds:
        if isinstance(c, DuplexMismatch) and c.interface == name:
            duplex, speed = "Half", 100
    if not is_physical(name):
        cabled = True
    return PortInfo(name, shutdown, cabled, duplex, speed, desc)


def _interfaces(tree: ConfigTree) -> dict[str, Node]:
    return {n.tokens()[1]: n for n in tree.top("interface")}


def compute(
    tree: ConfigTree, conds: list[Condition], cabled: frozenset[str] | None = None
) -> Traffic:
    t = Traffic()
    nodes = _interfaces(tree)
    for name, node in nodes.items():
        info = port_info(node, conds)
        if cabled is not None and is_physical(name):
            info = replace(info, cabled=name in cabled)
        t.ports[name] = info
        if info.shutdown or not info.cabled or name.startswith("Loopback"):
            continue
        for way in ("in", "out"):
            t.add(f"if:{name}:{way}_pkts", BACKGROUND_PPS)
            t.add(f"if:{name}:{way}_bytes", BACKGROUND_PPS * BACKGROUND_BYTES)
    for c in conds:
        if isinstance(c, PortErrors) and c.interface in nodes:
            t.add(f"if:{c.interface}:crc", c.crc_per_second)
            t.add(f"if:{c.interface}:input_errors", c.crc_per_second)
        elif isinstance(c, DuplexMismatch) and c.interface in nodes:
            for key, rate in MISMATCH_RATES.items():
                t.add(f"if:{c.interface}:{key}", rate)
            t.add(f"if:{c.interface}:input_errors", MISMATCH_RATES["runts"])
            t.add(f"if:{c.interface}:output_errors", MISMATCH_RATES["late_collision"])
    load = next((c for c in conds if isinstance(c, Load)), None)
    if load is not None and load.interface in nodes:
        _wan(t, tree, nodes[load.interface], load, conds)
    media = next((c for c in conds if isinstance(c, Media)), None)
    if media is not None:
        bleach = next((c for c in conds if isinstance(c, Bleach)), None)
        _media(t, tree, nodes, media.flows, bleach.sources if bleach else ())
    return t


def _wan(t: Traffic, tree: ConfigTree, node: Node, load: Load, conds: list[Condition]) -> None:
    name = node.tokens()[1]
    t.wan = name
    speed_kbps = t.ports[name].speed_mbps * 1000.0
    offered: dict[int, float] = {}
    for dscp_name, kbps in load.offered.items():
        dscp = DSCP_VALUES[dscp_name]
        offered[dscp] = offered.get(dscp, 0.0) + kbps
    maps, every = qos.class_maps(tree), qos.policies(tree)
    policy = qos.attached(node, "output")
    if policy is not None and policy in every:
        result = qos.load_policy(policy, every, maps, offered, speed_kbps)
        t.policies[(name, "output")] = result
        for path, cl in _walk(result):
            _class_rates(t, f"pc:{name}:output:{path}", cl)
        sent = sum(c.sent for c in result.classes)
        dropped = sum(c.dropped for c in result.classes)
        drop_pps = sum(
            cl.dropped * 125 / cl.packet_bytes for _p, cl in _walk(result) if not cl.child
        )
        for dscp in offered:
            hit = _class_of(result, every, maps, dscp)
            t.class_loss[dscp] = 100 * hit.dropped / hit.offered if hit and hit.offered else 0.0
    else:
        total = sum(offered.values())
        sent = min(total, speed_kbps)
        dropped = total - sent
        drop_pps = dropped * 125 / 1000
    t.wan_out_kbps = sent
    t.add(f"if:{name}:out_pkts", sent * 125 / 800)
    t.add(f"if:{name}:out_bytes", sent * 125)
    t.add(f"if:{name}:in_pkts", sent * 0.8 * 125 / 800)
    t.add(f"if:{name}:in_bytes", sent * 0.8 * 125)
    t.add(f"if:{name}:output_drops", drop_pps if dropped > 0 else 0.0)
    provider = next((c for c in conds if isinstance(c, ProviderDrops)), None)
    contract = provider.contract_kbps if provider is not None else load.contract_kbps
    if contract and sent > contract:
        t.provider_loss = 100 * (sent - contract) / sent


def _class_of(
    result: qos.PolicyLoad, every: dict[str, qos.Policy], maps: dict[str, qos.ClassMap], dscp: int
) -> qos.ClassLoad | None:
    policy = every.get(result.name)
    if policy is None:
        return None
    name = qos.classify(policy, maps, dscp)
    cl = next((c for c in result.classes if c.name == name), None)
    if cl is not None and cl.child is not None:
        return _class_of(cl.child, every, maps, dscp)
    return cl


def _walk(result: qos.PolicyLoad, prefix: str = "") -> Iterator[tuple[str, qos.ClassLoad]]:
    for cl in result.classes:
        path = f"{prefix}{result.name}/{cl.name}"
        yield path, cl
        if cl.child is not None:
            yield from _walk(cl.child, path + "/")


def _class_rates(t: Traffic, key: str, cl: qos.ClassLoad) -> None:
    pps = cl.offered * 125 / cl.packet_bytes
    t.add(f"{key}:pkts", pps)
    t.add(f"{key}:bytes", cl.offered * 125)
    t.add(f"{key}:out_pkts", cl.sent * 125 / cl.packet_bytes)
    t.add(f"{key}:out_bytes", cl.sent * 125)
    t.add(f"{key}:drops", cl.dropped * 125 / cl.packet_bytes)
    t.add(f"{key}:drop_bytes", cl.dropped * 125)


def _media(
    t: Traffic,
    tree: ConfigTree,
    nodes: dict[str, Node],
    flows: Iterable[Flow],
    bleached: tuple[str, ...],
) -> None:
    """ACL lines and input policy classes met by each flow, on the way in and out."""
    acls = acl_entries(tree)
    maps, every = qos.class_maps(tree), qos.policies(tree)
    nets = [ipaddress.IPv4Network(p, strict=False) for p in bleached]

    def permits(name: str, flow: Flow) -> bool:
        hit = first_match(acls.get(name, []), flow)
        return hit is not None and hit[1].startswith("permit")

    for given in flows:
        flow = given
        src = ipaddress.IPv4Address(flow.src.split("/", maxsplit=1)[0])
        if any(src in n for n in nets):
            flow = Flow(
                flow.proto,
                flow.src,
                flow.sport,
                flow.dst,
                flow.dport,
                0,
                flow.kbps,
                flow.packet_bytes,
            )
        pps = flow.kbps * 125 / flow.packet_bytes
        way_in = egress(tree, flow.src.split("/")[0]).interface
        way_out = egress(tree, flow.dst.split("/")[0]).interface
        for iface, direction in ((way_in, "in"), (way_out, "out")):
            node = nodes.get(iface or "")
            if node is None:
                continue
            for child in node.children or ():
                w = child.tokens()
                if w[:2] == ["ip", "access-group"] and len(w) == 4 and w[3] == direction:
                    hit = first_match(acls.get(w[2], []), flow)
                    if hit is not None:
                        t.add(f"acl:{w[2]}:{hit[0]}", pps)
            policy = qos.attached(node, "input") if direction == "in" else None
            if policy is not None and policy in every:
                cls = qos.classify(every[policy], maps, flow.dscp, flow, permits)
                key = f"pc:{iface}:input:{policy}/{cls}"
                t.add(f"{key}:pkts", pps)
                t.add(f"{key}:bytes", flow.kbps * 125)
