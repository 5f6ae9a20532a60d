"""`show interfaces` (Cisco IOS / IOS-XE) as typed records, through our TextFSM template
(templates/cisco_ios_show_interfaces.textfsm, modelled on ntc-templates')."""

from __future__ import annotations

from dataclasses import dataclass

from rollout.parsers.textfsm_table import parse_records

TEMPLATE = "cisco_ios_show_interfaces"

DUPLEX: dict[str, str] = {"full": "full", "half": "half", "auto": "auto", "a-full": "full"}
"""How the duplex word reads ('Full-duplex', 'Full Duplex', 'a-full' on some switches)."""


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


@dataclass(frozen=True, slots=True)
class Interface:
    """One interface; counters are cumulative since the last `clear counters` (0 when absent)."""

    name: str
    status: str  # up | down | administratively down
    protocol: str  # up | down
    duplex: str  # full | half | auto | '' (not shown: sub-interfaces, loopbacks)
    speed_mbps: int  # 0 when auto or not shown
    in_bps: int
    out_bps: int
    input_packets: int
    output_packets: int
    input_errors: int
    crc: int
    runts: int
    output_errors: int
    collisions: int
    late_collisions: int
    resets: int
    input_drops: int
    output_drops: int
    lost_carrier: int
    carrier_transitions: int


def _speed(text: str) -> int:
    """'100Mbps', '100Mb/s', '1000Mb/s', '1Gbps', 'Auto' -> Mbit/s (0 when unknown)."""
    low = text.lower()
    digits = "".join(ch for ch in low if ch.isdigit())
    if not digits:
        return 0
    return int(digits) * (1000 if low.replace(digits, "", 1).startswith("g") else 1)


def parse_interfaces(text: str) -> list[Interface]:
    """Every interface of ``show interfaces [NAME]``, in output order."""
    out = []
    for r in parse_records(TEMPLATE, text):
        out.append(
            Interface(
                name=r["interface"],
                status=r["link_status"].strip(),
                protocol=r["protocol_status"].strip(),
                duplex=DUPLEX.get(r["duplex"].lower(), ""),
                speed_mbps=_speed(r["speed"]),
                in_bps=_int(r["input_rate"]),
                out_bps=_int(r["output_rate"]),
                input_packets=_int(r["input_packets"]),
                output_packets=_int(r["output_packets"]),
                input_errors=_int(r["input_errors"]),
                crc=_int(r["crc"]),
                runts=_int(r["runts"]),
                output_errors=_int(r["output_errors"]),
                collisions=_int(r["collisions"]),
                late_collisions=_int(r["late_collisions"]),
                resets=_int(r["resets"]),
                input_drops=_int(r["input_drops"]),
                output_drops=_int(r["output_drops"]),
                lost_carrier=_int(r["lost_carrier"]),
                carrier_transitions=_int(r["carrier_transitions"]),
            )
        )
    return out
