"""Hand-built evidence of one site: healthy by default, each fault one small change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import FULL, Fact, Segment, SiteEvidence, Unreached, Value

SITE = "bao-thang"
RTR, SW, CODEC = "bao-thang-rtr01", "bao-thang-sw01", "bao-thang-codec01"
WAN, LAN = "GigabitEthernet0/0/0", "GigabitEthernet0/0/1"
CODEC_PORT, ROOM_PORT, UPLINK = (
    "GigabitEthernet1/0/1",
    "GigabitEthernet1/0/2",
    "GigabitEthernet1/0/24",
)

EXPECT = Expectations(
    site=SITE,
    router=RTR,
    switch=SW,
    codec=CODEC,
    wan_interface=WAN,
    lan_interface=LAN,
    switch_ports={"codec_port": CODEC_PORT, "room_client_port": ROOM_PORT, "uplink": UPLINK},
    contract_kbps=10000,
    shape_kbps=9500,
    call_budget_kbps=2048,
    registrars={"gatekeeper": "10.16.0.22", "sip": "10.16.0.21"},
    probes={
        "next_hop": "10.254.0.5",
        "hub": "10.255.0.1",
        "mcu": "10.16.0.20",
        "registrar": "10.16.0.21",
        "cloud": "203.0.113.1",
    },
    sla_classes={10: "EF", 20: "AF41", 30: "CS3", 40: "DEFAULT"},
    media=(("udp", 3230, 3329), ("tcp", 3230, 3250), ("udp", 49152, 65535)),
)


def port(device: str, name: str, role: str, segment: Segment = "lan", **changed: Value) -> Fact:
    values: dict[str, Value] = {
        "role": role,
        "status": "up",
        "protocol": "up",
        "duplex": "full",
        "speed_mbps": 1000,
        "input_errors": 3,  # old, small counts: not a fault
        "crc": 3,
        "collisions": 0,
        "late_collisions": 0,
        "output_drops": 12,
        "input_drops": 0,
        "resets": 2,
        "carrier_transitions": 0,
        "input_packets": 2_295_197,
        "in_kbps": 1800,
        "out_kbps": 1900,
        "flaps": 0,
        "interval_s": 3.1,
        **{f"{k}_delta": 0 for k in ("input_errors", "crc", "late_collisions", "output_drops")},
        **{f"{k}_delta": 0 for k in ("resets", "carrier_transitions", "collisions")},
        "input_packets_delta": 2400,
    }
    values.update(changed)
    return Fact(device, segment, "interface", name, values, (f"{name} is up, line protocol is up",))


def sla(op: int, **changed: Value) -> Fact:
    values: dict[str, Value] = {
        "cls": EXPECT.sla_classes[op],
        "return_code": "OK",
        "rtt_ms": 12.0,
        "jitter_ms": 1.0,
        "loss_percent": 0.0,
    }
    values.update(changed)
    return Fact(RTR, "wan", "sla", f"op {op}", values, (f"IPSLA operation id: {op}",))


def reach(what: str, success: int = 100, sent: int = 20) -> Fact:
    segment: Segment = {"next_hop": "wan", "hub": "wan", "cloud": "cloud"}.get(what, "hub")  # type: ignore[assignment]
    return Fact(
        RTR,
        segment,
        "reach",
        what,
        {"target": EXPECT.probes[what], "success_percent": success, "sent": sent, "rtt_ms": 14},
        (f"ping {EXPECT.probes[what]}: Success rate is {success} percent",),
        FULL,
    )


def policy_class(name: str, offered: int, drops: int = 0, policy: str = "WAN-QUEUING") -> Fact:
    return Fact(
        RTR,
        "wan",
        "policy_class",
        name,
        {
            "policy": policy,
            "direction": "output",
            "packets": 1000,
            "offered_kbps": offered,
            "drops": drops,
            "drop_kbps": drops,
        },
        (f"Class-map: {name} (match-any)",),
    )


def healthy_facts() -> list[Fact]:
    return [
        port(RTR, WAN, "wan", "wan"),
        port(RTR, LAN, "lan"),
        port(SW, CODEC_PORT, "codec_port"),
        port(SW, ROOM_PORT, "room_client_port"),
        port(SW, UPLINK, "uplink"),
        Fact(
            RTR,
            "config",
            "service_policy",
            WAN,
            {"expected": "WAN-SHAPER", "attached": "WAN-SHAPER"},
        ),
        Fact(RTR, "wan", "shaper", WAN, {"shape_kbps": 9500, "contract_kbps": 10000}),
        policy_class("class-default", 4000, policy="WAN-SHAPER"),
        policy_class("voice", 200),
        policy_class("video", 3000),
        policy_class("class-default", 800, drops=0),
        *(sla(op) for op in (10, 20, 30, 40)),
        *(reach(w) for w in ("next_hop", "hub", "mcu", "registrar", "cloud")),
        Fact(
            CODEC,
            "endpoint",
            "registration",
            "gatekeeper",
            {"online": True, "address": "10.16.0.22", "expected": "10.16.0.22"},
        ),
        Fact(
            CODEC,
            "endpoint",
            "registration",
            "sip",
            {"online": True, "address": "10.16.0.21", "expected": "10.16.0.21"},
        ),
        Fact(CODEC, "endpoint", "call_rate", CODEC, {"configured_kbps": 2048, "budget_kbps": 2048}),
        Fact(
            CODEC,
            "endpoint",
            "call",
            "34",
            {
                "state": "connected",
                "rate_kbps": 2048,
                "loss_percent": 0.0,
                "jitter_ms": 3.0,
                "protocol": "h323",
            },
        ),
        Fact(
            RTR,
            "wan",
            "dscp",
            "video",
            {"expected": "AF41", "arrived_marked_percent": 100.0, "packets": 5000},
        ),
        Fact("ubnd-tinh-rtr01", "hub", "link_load", "GigabitEthernet0/0/0", {"load_percent": 35.0}),
        Fact(RTR, "config", "drift", RTR, {"lines": 0}, (), FULL),
        Fact(SW, "config", "drift", SW, {"lines": 0}, (), FULL),
    ]


def evidence(
    facts: Iterable[Fact] | None = None,
    *,
    change: Mapping[tuple[str, str, str], Fact | None] | None = None,
    add: Iterable[Fact] = (),
    unreached: Iterable[Unreached] = (),
) -> SiteEvidence:
    """The healthy site with facts replaced ((device, check, subject) -> new fact or None)."""
    base = list(facts) if facts is not None else healthy_facts()
    change = dict(change or {})
    out = []
    for f in base:
        key = (f.device, f.check, f.subject)
        if key in change:
            new = change.pop(key)
            if new is not None:
                out.append(new)
        else:
            out.append(f)
    out += [f for f in change.values() if f is not None]
    out += list(add)
    return SiteEvidence(SITE, "2026-11-29T09:00:00+00:00", tuple(out), tuple(unreached), 3.2)


def changed(f: Fact, **values: Value) -> Fact:
    return replace(f, values={**f.values, **values})
