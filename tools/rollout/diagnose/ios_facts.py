"""Cisco IOS outputs into `Fact`s in the contract's vocabulary (docs/diagnose.md, "Evidence").

Pure functions of the device's text, so each is tested on real public outputs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import FULL, Fact, Segment, Value
from rollout.parsers.ios_interfaces import Interface, parse_interfaces
from rollout.parsers.ios_policy_map import parse_policy_map
from rollout.parsers.ios_show import (
    configured_shape,
    entry_catches,
    event_time,
    is_catch_all,
    parse_access_lists,
    parse_clock,
    parse_link_events,
    parse_ping,
    service_policies,
)

FLAP_WINDOW_S = 900
"""Link-down events counted as flaps only within the last 15 minutes of the device's clock:
older ones are history, not the cause of a meeting going wrong now."""

REACH_SEGMENT: dict[str, Segment] = {
    "next_hop": "wan",
    "hub": "wan",
    "mcu": "hub",
    "registrar": "hub",
    "cloud": "cloud",
}

COUNTERS = (
    "input_errors",
    "crc",
    "collisions",
    "late_collisions",
    "output_drops",
    "input_drops",
    "resets",
    "carrier_transitions",
    "input_packets",
)
"""Cumulative counters whose increase between the two readings is kept as ``<name>_delta``."""


def _block(text: str, name: str) -> list[str]:
    """The lines of one interface's block in ``show interfaces``."""
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if line and not line[0].isspace():
            inside = line.startswith(f"{name} is ")
        if inside:
            out.append(line.strip())
    return out


SHOWN = ("line protocol", "duplex", "Duplex", "CRC", "collision", "resets", "drops", "carrier")


def interface_facts(
    device: str,
    ports: Mapping[str, tuple[Segment, str]],
    first: str,
    second: str,
    interval: float,
    log: str,
    clock: str,
) -> list[Fact]:
    """One fact per watched port (name -> (segment, role)): state, counters, their increase
    over ``interval`` seconds, and the flaps the log shows within `FLAP_WINDOW_S`."""
    before = {i.name: i for i in parse_interfaces(first)}
    after = {i.name: i for i in parse_interfaces(second)}
    flaps = _flaps(log, clock)
    out = []
    for name, (segment, role) in ports.items():
        now = after.get(name) or before.get(name)
        if now is None:
            continue
        then = before.get(name)
        values: dict[str, Value] = {"role": role, **_values(now)}
        if then is not None and then is not now:
            for key in COUNTERS:
                values[f"{key}_delta"] = max(0, getattr(now, key) - getattr(then, key))
            values["interval_s"] = round(interval, 1)
        values["flaps"] = len(flaps.get(name, []))
        age = _last_flap_age(log, clock, name)
        if age is not None:
            values["last_flap_s"] = age
        lines = [x for x in _block(second or first, name) if any(k in x for k in SHOWN)]
        lines += flaps.get(name, [])
        out.append(Fact(device, segment, "interface", name, values, tuple(lines)))
    return out


def _values(i: Interface) -> dict[str, Value]:
    return {
        "status": i.status,
        "protocol": i.protocol,
        "duplex": i.duplex,
        "speed_mbps": i.speed_mbps,
        "input_errors": i.input_errors,
        "crc": i.crc,
        "collisions": i.collisions,
        "late_collisions": i.late_collisions,
        "output_drops": i.output_drops,
        "input_drops": i.input_drops,
        "resets": i.resets,
        "carrier_transitions": i.carrier_transitions,
        "input_packets": i.input_packets,
        "in_kbps": i.in_bps // 1000,
        "out_kbps": i.out_bps // 1000,
    }


def _flaps(log: str, clock: str) -> dict[str, list[str]]:
    """Per interface, the log lines of its link going down within the window (oldest first,
    as the log prints them)."""
    events = [e for e in parse_link_events(log) if e.facility == "LINK-3-UPDOWN"]
    now = parse_clock(clock)
    if now is None:  # no clock: the newest event stands for "now"
        year = datetime.now(UTC).year
        stamps = [datetime(year, *e.when) for e in events if e.when is not None]
        now = max(stamps) if stamps else None
    out: dict[str, list[str]] = {}
    for e in events:
        if e.state != "down":
            continue
        at = event_time(e, now) if now is not None else None
        if at is None or now is None or (now - at).total_seconds() > FLAP_WINDOW_S:
            continue
        out.setdefault(e.interface, []).append(e.line)
    return out


def _last_flap_age(log: str, clock: str, name: str) -> int | None:
    """Seconds since the interface's last link-down in the log (None: none, or no clock)."""
    now = parse_clock(clock)
    if now is None:
        return None
    ages = [
        (now - at).total_seconds()
        for e in parse_link_events(log)
        if e.facility == "LINK-3-UPDOWN" and e.state == "down" and e.interface == name
        for at in [event_time(e, now)]
        if at is not None
    ]
    return int(max(0.0, min(ages))) if ages else None


def service_policy_facts(device: str, x: Expectations, running: str) -> list[Fact]:
    """What is attached to the WAN interface against the intended policy."""
    if not running.strip():
        return []
    attached = service_policies(running).get("output", "")
    lines = tuple(ln.strip() for ln in running.splitlines() if "service-policy" in ln)
    return [
        Fact(
            device,
            "config",
            "service_policy",
            x.wan_interface,
            {"expected": x.policy, "attached": attached},
            lines or (f"interface {x.wan_interface}: no service-policy output",),
        )
    ]


def policy_facts(device: str, x: Expectations, text: str) -> list[Fact]:
    """Per class of the WAN policies: packets, offered and drop rates, drops; the shaper."""
    if not text.strip():
        return []
    parsed = parse_policy_map(text)
    out = [
        Fact(
            device,
            "wan",
            "policy_class",
            c.name,
            {
                "policy": c.policy,
                "direction": c.direction,
                "packets": c.packets,
                "offered_kbps": c.offered_bps // 1000,
                "drops": c.drops,
                "drop_kbps": c.drop_bps // 1000,
            },
            tuple(c.lines),
        )
        for c in parsed.classes
        if c.direction == "output"
    ]
    if parsed.shape_bps:
        shaper = next(c for c in parsed.classes if c.shape_bps)
        out.append(
            Fact(
                device,
                "wan",
                "shaper",
                x.wan_interface,
                {"shape_kbps": parsed.shape_bps // 1000, "contract_kbps": x.contract_kbps},
                tuple(ln for ln in shaper.lines if any(ch.isdigit() for ch in ln)),
            )
        )
    return out


SLA_SHOWN = (
    "IPSLA operation id",
    "return code",
    "Jitter Min/Avg/Max",
    "Loss Source to Destination:",
    "Loss Destination to Source:",
    "Mean Opinion Score",
)
"""The lines of an operation quoted as evidence (``show ip sla statistics``, IOS 15 layout)."""


def configured_shaper_facts(device: str, x: Expectations, text: str) -> list[Fact]:
    """The shaper as configured (``show running-config | section policy-map``), for a device
    whose ``show policy-map interface`` gave none."""
    found = configured_shape(text, x.policy)
    if found is None:
        return []
    bps, line = found
    values: dict[str, Value] = {"shape_kbps": bps // 1000, "contract_kbps": x.contract_kbps}
    return [
        Fact(device, "wan", "shaper", x.wan_interface, values, (f"policy-map {x.policy}: {line}",))
    ]


def sla_facts(device: str, x: Expectations, text: str) -> list[Fact]:
    """One fact per IP SLA operation, its class from the intent (rollout.intent.sla)."""
    from rollout.parsers.ip_sla import parse_ip_sla_statistics

    if not text.strip():
        return []
    out = []
    for op in parse_ip_sla_statistics(text):
        values: dict[str, Value] = {
            "cls": x.sla_classes.get(op.operation_id, "DEFAULT"),
            "return_code": op.return_code,
            "rtt_ms": op.rtt.avg if op.rtt else float(op.latest_rtt_ms or 0),
            "jitter_ms": round(op.jitter_ms, 1),
            "loss_percent": round(op.loss_percent, 2),
        }
        if op.mos is not None:
            values["mos"] = op.mos
        lines = tuple(
            ln.strip()
            for ln in _sla_block(text, op.operation_id)
            if any(k in ln for k in SLA_SHOWN)
        )
        out.append(Fact(device, "wan", "sla", f"op {op.operation_id}", values, lines))
    return out


def _sla_block(text: str, op: int) -> list[str]:
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        if "IPSLA operation id:" in line or "Round Trip Time (RTT) for" in line:
            inside = line.strip().endswith(f": {op}") or line.strip().endswith(f"Index {op}")
        if inside:
            out.append(line)
    return out


def acl_facts(device: str, x: Expectations, text: str) -> list[Fact]:
    """Per access list, the deny entries with hits that can catch conference media."""
    by_acl: dict[str, list[tuple[int, str]]] = {}
    for e in parse_access_lists(text):
        if e.action != "deny" or not e.matches or is_catch_all(e.text):
            continue
        if any(entry_catches(e, proto, lo, hi) for proto, lo, hi in x.media):
            by_acl.setdefault(e.acl, []).append((e.matches, e.line))
    return [
        Fact(
            device,
            "config",
            "acl",
            acl,
            {"denied_media": sum(n for n, _ in hits)},
            tuple(line for _, line in hits),
        )
        for acl, hits in by_acl.items()
    ]


def reach_fact(device: str, what: str, address: str, text: str) -> Fact | None:
    ping = parse_ping(text)
    if ping is None:
        return None
    return Fact(
        device,
        REACH_SEGMENT.get(what, "wan"),
        "reach",
        what,
        {
            "target": address,
            "success_percent": ping.success_percent,
            "sent": ping.sent,
            "rtt_ms": ping.rtt_avg_ms,
        },
        (f"ping {address}: {ping.line}",),
        FULL,
    )


MODE_LINES = frozenset({"exit", "end"})
"""Lines a plan sends only to move between configuration modes (no drift of their own)."""


def drift_fact(device: str, lines: tuple[str, ...]) -> Fact:
    """The lines a rollout would send: ``- X`` for a ``no X`` (on the device, not intended),
    ``+ X`` otherwise (intended, not on the device); indentation kept, mode moves left out."""
    shown = []
    for line in lines:
        body = line.lstrip()
        if body in MODE_LINES:
            continue
        indent = line[: len(line) - len(body)]
        shown.append(f"- {indent}{body[3:]}" if body.startswith("no ") else f"+ {line}")
    return Fact(device, "config", "drift", device, {"lines": len(shown)}, tuple(shown), FULL)
