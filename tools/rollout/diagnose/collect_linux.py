"""The linux_router collector of `rollout diagnose`: read-only, over the router's SSH session.

One pass, three exec channels on the driver's session (``LinuxRouterDriver.sh``) and one vtysh:

1. counters: ``tc -s class show dev WAN`` (per-class sent/dropped/overlimits, the HTB rates),
   ``tc qdisc show dev WAN`` (is the HTB root there), ``ip -s link show`` of the WAN and LAN
   interfaces (errors, drops), their ``/sys/class/net/IF/carrier_changes`` (carrier on/off
   transitions since the interface was made: Linux 3.15, commit 2d3b479df41a "net-sysfs:
   expose number of carrier on/off changes", "to monitor carrier on/off transitions and detect
   link flapping issues"), ``nft list ruleset`` (drop rules reaching into the media
   ranges and their counters), rollout's qos.tc (the class names) and the router's clock;
2. echo probes to the provider's next hop, the hub (its SLA responder), the MCU, the
   registrar and the cloud service (``collect_linux_reach``), 5 each (3 when light);
3. the counters again: rates over the probe's time (HTB keeps no rate estimator by default);
4. FRR's ``show interface WAN``: link ups and downs with the time of the last one.

Nothing is written on the router, nothing changes state: show and list commands only.

Facts (rollout.diagnose.model; check -> subject: values):
- ``interface`` (wan: the WAN interface, lan: the LAN port) -> name: role, status, protocol,
  input_errors, input_drops, output_errors, output_drops, carrier_transitions, flaps,
  last_flap_s (-1: never; WAN only), in_kbps, out_kbps;
- ``policy_class`` (wan) -> class name: policy, direction, packets, offered_kbps, drops,
  drop_kbps, overlimits;
- ``shaper`` (wan) -> WAN interface: shape_kbps (the HTB root class's rate, 0 without it),
  contract_kbps;
- ``service_policy`` (config) -> WAN interface: expected ("htb 1:"), attached ("" without it);
- ``acl`` (config) -> "FAMILY TABLE CHAIN": denied_media (packets), rules; lines the rules;
- ``reach`` (wan: next_hop, hub; hub: mcu, registrar; cloud: cloud) -> target, probe
  ("icmp"), success_percent, rtt_ms, jitter_ms (the replies' mean deviation).
"""

from __future__ import annotations

import ipaddress
import time
from datetime import datetime
from typing import Protocol

from rollout.diagnose.collect_linux_parse import (
    HtbClass,
    Link,
    class_names,
    frr_link_events,
    htb_classes,
    link_stats,
    media_drops,
    root_qdisc,
)
from rollout.diagnose.collect_linux_reach import Echo, command, parse
from rollout.diagnose.model import Fact, Segment, Value
from rollout.drivers.linux_router import LinuxRouterDriver
from rollout.intent.base import wan_addresses
from rollout.inventory.loader import Inventory
from rollout.targets import Managed

POLICY = "htb 1:"  # rollout's qos.tc: "qdisc add dev IF root handle 1: htb default N"
MARK = "### rollout-diagnose "
PROBES, PROBES_LIGHT = 10, 5


class CollectContext(Protocol):
    """What this collector uses of rollout.diagnose's CollectContext (inventory, light flag)."""

    @property
    def inv(self) -> Inventory: ...

    @property
    def light(self) -> bool: ...


def _sections(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(MARK)[1:]:
        name, _, body = part.partition("\n")
        out[name.strip()] = body
    return out


def _snapshot(wan: str, lan: str, full: bool) -> str:
    parts = {
        "tc-class": f"tc -s class show dev {wan}",
        "link-wan": f"ip -s link show dev {wan}",
        "link-lan": f"ip -s link show dev {lan}",
        "carrier-wan": f"cat /sys/class/net/{wan}/carrier_changes",
        "carrier-lan": f"cat /sys/class/net/{lan}/carrier_changes",
        "clock": "date '+%Y/%m/%d %H:%M:%S'; date +%s.%N",
    }
    if full:
        parts |= {
            "tc-qdisc": f"tc qdisc show dev {wan}",
            "nft": "nft list ruleset",
            "qos.tc": "cat qos.tc",
        }
    return "; ".join(f"echo '{MARK}{k}'; {v} 2>&1" for k, v in parts.items())


def targets(inv: Inventory, m: Managed) -> dict[str, str]:
    """What is probed and its address: the WAN peer, the hub's SLA responder, MCU, registrar
    and the cloud service (the lab's stand-in answers at its first prefix's tenth address)."""
    p = inv.province
    by_kind = {s.kind: str(s.address) for s in p.services.values()}
    cloud = ipaddress.IPv4Network(str(p.cloud.prefixes[0]))
    out = {
        "next_hop": wan_addresses(m.site.wan.link)[0],
        "hub": by_kind.get("sla_responder", ""),
        "mcu": by_kind.get("mcu", ""),
        "registrar": by_kind.get("sip_registrar", ""),
        "cloud": str(cloud.network_address + 10),
    }
    return {k: v for k, v in out.items() if v}


REACH_SEGMENT: dict[str, Segment] = {
    "next_hop": "wan",
    "hub": "wan",
    "mcu": "hub",
    "registrar": "hub",
    "cloud": "cloud",
}


def collect(ctx: CollectContext, managed: Managed) -> list[Fact]:
    """The router's facts; a DeviceError when it cannot be read (an Unreached)."""
    inv, device = ctx.inv, managed.device
    wan = str(getattr(device, "wan_interface", "wan0"))
    lan = str(getattr(device, "lan_interface", "lan0"))
    drv = LinuxRouterDriver(managed.target)
    try:
        first = _sections(drv.sh("diagnose", _snapshot(wan, lan, True), check=False))
        t0 = time.monotonic()
        probed = targets(inv, managed)
        count = PROBES_LIGHT if ctx.light else PROBES
        echoes = parse(drv.sh("diagnose", command(wan, list(probed.values()), count), check=False))
        second = _sections(drv.sh("diagnose", _snapshot(wan, lan, False), check=False))
        seconds = max(time.monotonic() - t0, 0.1)
        frr = drv.vtysh(f"show interface {wan}", check=False)
    finally:
        drv.close()
    name = device.hostname
    media = [(r.first, r.last) for r in (inv.province.media.codec_udp, inv.province.media.mcu_udp)]
    facts = _qos(name, wan, first, second, seconds, managed.site.wan.rate_kbps)
    facts += _interfaces(name, wan, lan, first, second, seconds, frr)
    facts += _acls(name, first.get("nft", ""), media)
    facts += _reach(name, probed, echoes)
    return facts


def _qos(
    device: str, wan: str, first: dict[str, str], second: dict[str, str], s: float, contract: int
) -> list[Fact]:
    kind, qdisc_line = root_qdisc(first.get("tc-qdisc", ""))
    before = htb_classes(first.get("tc-class", ""))
    after = htb_classes(second.get("tc-class", ""))
    attached = POLICY if kind == "htb" else ""
    facts = [
        Fact(
            device,
            "config",
            "service_policy",
            wan,
            {"expected": POLICY, "attached": attached},
            (qdisc_line or f"no root qdisc shown on {wan}",),
        )
    ]
    roots = [c for c in after.values() if not c.parent] if attached else []
    root = roots[0] if roots else None
    facts.append(
        Fact(
            device,
            "wan",
            "shaper",
            wan,
            {"shape_kbps": root.rate_kbps if root else 0, "contract_kbps": contract},
            root.lines[:1] if root else (qdisc_line or f"no HTB root on {wan}",),
        )
    )
    names = class_names(first.get("qos.tc", ""))
    for cid, cls in sorted(after.items()):
        if root is not None and cid == root.classid:
            continue
        facts.append(_class_fact(device, names.get(cid, cid), cls, before.get(cid), s))
    return facts


def _class_fact(device: str, name: str, cls: HtbClass, old: HtbClass | None, s: float) -> Fact:
    sent = cls.bytes - (old.bytes if old else cls.bytes)
    pkts = cls.packets - (old.packets if old else cls.packets)
    drops = cls.dropped - (old.dropped if old else cls.dropped)
    size = sent / pkts if pkts else 1000.0
    values: dict[str, Value] = {
        "policy": POLICY,
        "direction": "output",
        "packets": cls.packets,
        "offered_kbps": round((sent + drops * size) * 8 / 1000 / s),
        "drops": cls.dropped,
        "drop_kbps": round(drops * size * 8 / 1000 / s),
        "overlimits": cls.overlimits,
    }
    return Fact(device, "wan", "policy_class", name, values, cls.lines)


def _kbps(old: Link | None, new: Link, way: str, s: float) -> int:
    if old is None:
        return 0
    a, b = (old.rx if way == "rx" else old.tx), (new.rx if way == "rx" else new.tx)
    return round(max(b.get("bytes", 0) - a.get("bytes", 0), 0) * 8 / 1000 / s)


def _interfaces(
    device: str,
    wan: str,
    lan: str,
    first: dict[str, str],
    second: dict[str, str],
    s: float,
    frr: str,
) -> list[Fact]:
    facts = []
    for role, ifname, segment in (("wan", wan, "wan"), ("lan", lan, "lan")):
        new = link_stats(second.get(f"link-{role}", ""))
        if new is None:
            continue
        old = link_stats(first.get(f"link-{role}", ""))
        carrier = second.get(f"carrier-{role}", "").strip()
        status = "up" if new.admin_up and new.carrier else "down"
        values: dict[str, Value] = {
            "role": role,
            "status": status if new.admin_up else "administratively down",
            "protocol": "up" if new.admin_up and new.carrier else "down",
            "input_errors": new.rx.get("errors", 0),
            "input_drops": new.rx.get("dropped", 0),
            "output_errors": new.tx.get("errors", 0),
            "output_drops": new.tx.get("dropped", 0),
            "carrier_transitions": int(carrier) if carrier.isdigit() else 0,
            "in_kbps": _kbps(old, new, "rx", s),
            "out_kbps": _kbps(old, new, "tx", s),
        }
        lines = list(new.lines)
        if role == "wan":
            values |= _flaps(frr, new, second.get("clock", ""))
            lines += [ln.strip() for ln in frr.splitlines() if "Link " in ln]
        facts.append(
            Fact(
                device,
                "wan" if segment == "wan" else "lan",
                "interface",
                ifname,
                values,
                tuple(lines),
            )
        )
    return facts


def _flaps(frr: str, link: Link, clock: str) -> dict[str, Value]:
    """Flaps as FRR's zebra counted them (a link up after a down is one flap; a link down now
    counts too) and the seconds since the last link down by the router's clock (-1: never)."""
    events = frr_link_events(frr)
    ups, _ = events.get("ups", (0, ""))
    downs, last = events.get("downs", (0, ""))
    flaps = ups + (1 if downs and not link.carrier else 0)
    since = -1.0
    now_text = clock.strip().splitlines()[0] if clock.strip() else ""
    try:
        if last and now_text:
            then = datetime.strptime(last.split(".")[0], "%Y/%m/%d %H:%M:%S")
            now = datetime.strptime(now_text, "%Y/%m/%d %H:%M:%S")
            since = max((now - then).total_seconds(), 0.0)
    except ValueError:
        since = -1.0
    return {"flaps": flaps, "last_flap_s": round(since, 1)}


def _acls(device: str, ruleset: str, media: list[tuple[int, int]]) -> list[Fact]:
    by_chain: dict[str, list[tuple[int, str]]] = {}
    for drop in media_drops(ruleset, media):
        by_chain.setdefault(drop.chain, []).append((drop.packets, drop.line))
    return [
        Fact(
            device,
            "config",
            "acl",
            chain,
            {"denied_media": sum(p for p, _ in rules), "rules": len(rules)},
            tuple(f"{line} ({p} matches)" for p, line in rules),
        )
        for chain, rules in by_chain.items()
    ]


def _reach(device: str, probed: dict[str, str], echoes: dict[str, Echo]) -> list[Fact]:
    facts = []
    for what, address in probed.items():
        echo = echoes.get(address)
        if echo is None:
            continue
        values: dict[str, Value] = {
            "target": address,
            "probe": "icmp",
            "success_percent": echo.success_percent,
            "rtt_ms": echo.rtt_ms,
            "jitter_ms": echo.jitter_ms,
        }
        facts.append(Fact(device, REACH_SEGMENT[what], "reach", what, values, (echo.line(),)))
    return facts
