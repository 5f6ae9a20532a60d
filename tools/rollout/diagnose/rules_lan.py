"""LAN rules: the switch ports of the codec, the room client and the uplink, and the router's
LAN interface (docs/diagnose.md, "lan.*")."""

from __future__ import annotations

from rollout.diagnose.expect import Expectations
from rollout.diagnose.model import Cause, Fact, SiteEvidence
from rollout.diagnose.rulebase import (
    ERROR_RATIO,
    ERRORS_DELTA_MIN,
    ERRORS_MIN,
    FLAPS_MIN,
    LATE_DELTA_MIN,
    cause,
    has,
    num,
    quoted,
    text,
    where,
)

PORT_NAMES = {
    "codec_port": "the codec's switch port",
    "room_client_port": "the room client's switch port",
    "uplink": "the switch's uplink to the router",
    "lan": "the router's LAN interface",
}


def _lan_ports(ev: SiteEvidence) -> list[Fact]:
    return [f for f in ev.of("interface") if f.segment == "lan"]


def _new_errors(f: Fact) -> float | None:
    """Input errors (CRC, runts ...) counted between the two readings; None: one reading."""
    if not has(f, "input_errors_delta"):
        return None
    return max(num(f, "input_errors_delta"), num(f, "crc_delta"))


def _errors_old_ratio(f: Fact) -> bool:
    errors = max(num(f, "input_errors"), num(f, "crc"))
    packets = num(f, "input_packets")
    return errors >= ERRORS_MIN and packets > 0 and errors / packets > ERROR_RATIO


def duplex_mismatch(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """Half duplex on a port, or late collisions increasing: the two ends disagree."""
    out = []
    for f in _lan_ports(ev):
        role = text(f, "role")
        late_new = num(f, "late_collisions_delta") if has(f, "late_collisions_delta") else None
        half = text(f, "duplex") == "half"
        late = (late_new is not None and late_new >= LATE_DELTA_MIN) or (
            late_new is None and num(f, "late_collisions") >= ERRORS_MIN
        )
        if not (half or late) or text(f, "status") != "up":
            continue
        figures = (
            f"{where(f)}: {text(f, 'duplex') or '?'} duplex, {num(f, 'speed_mbps'):g} Mb/s, "
            f"{num(f, 'late_collisions'):g} late collisions"
            + (f" (+{late_new:g} in {num(f, 'interval_s'):g} s)" if late_new else "")
            + f", {num(f, 'crc'):g} CRC"
        )
        out.append(
            cause(
                "lan",
                "lan.duplex_mismatch",
                f"duplex mismatch on {PORT_NAMES.get(role, role)} ({f.subject})",
                [figures, *quoted([f])],
                f"set both ends of {f.subject} to auto/auto (or the same fixed speed and full "
                "duplex on both), then clear counters and watch late collisions stay at 0",
                0.9 if late else 0.8,
            )
        )
    return out


def port_errors(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """Input errors increasing on a LAN port (a cable, a connector, a NIC)."""
    out = []
    for f in _lan_ports(ev):
        new = _new_errors(f)
        bad = new >= ERRORS_DELTA_MIN if new is not None else _errors_old_ratio(f)
        late = num(f, "late_collisions_delta") >= LATE_DELTA_MIN or text(f, "duplex") == "half"
        if not bad or late:  # a duplex mismatch explains its own CRC errors
            continue
        role = text(f, "role")
        detail = f" (+{new:g} in {num(f, 'interval_s'):g} s)" if new else ""
        out.append(
            cause(
                "lan",
                "lan.port_errors",
                f"errors on {PORT_NAMES.get(role, role)} ({f.subject}): cable or NIC",
                [
                    f"{where(f)}: {num(f, 'input_errors'):g} input errors, "
                    f"{num(f, 'crc'):g} CRC{detail}",
                    *quoted([f]),
                ],
                f"replace the patch cable on {f.subject} (and test the wall run), "
                "then clear counters and check the CRC count stays still",
                0.8,
            )
        )
    return out


def port_down(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    """The codec's port, the uplink or the router's LAN interface is not up."""
    out = []
    for f in _lan_ports(ev):
        role = text(f, "role")
        if text(f, "status") == "up" and text(f, "protocol") == "up":
            continue
        # A room client switched off leaves its port down: weaker than the codec's port.
        likelihood = 0.5 if role == "room_client_port" else 0.85
        out.append(
            cause(
                "lan",
                "lan.port_down",
                f"{PORT_NAMES.get(role, role)} ({f.subject}) is {text(f, 'status')}",
                [
                    f"{where(f)}: {text(f, 'status')}, line protocol {text(f, 'protocol')}",
                    *quoted([f]),
                ],
                f"check the device on {f.subject} is powered and cabled; "
                "if administratively down, `no shutdown` it",
                likelihood,
            )
        )
    return out


def port_flaps(ev: SiteEvidence, x: Expectations) -> list[Cause]:
    out = []
    for f in _lan_ports(ev):
        if num(f, "flaps") < FLAPS_MIN and num(f, "carrier_transitions_delta") < 1:
            continue
        role = text(f, "role")
        out.append(
            cause(
                "lan",
                "lan.port_flaps",
                f"{PORT_NAMES.get(role, role)} ({f.subject}) keeps going down and up",
                [f"{where(f)}: {num(f, 'flaps'):g} link-down events in 15 min", *quoted([f], 6)],
                f"reseat or replace the cable on {f.subject}; check the device's power supply",
                0.75,
            )
        )
    return out


RULES = (duplex_mismatch, port_errors, port_down, port_flaps)
