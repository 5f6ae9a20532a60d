"""The WAN router's IP SLA operations towards the hub's responder, and their threshold reactions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rollout.intent.base import Record
from rollout.inventory.loader import Inventory
from rollout.inventory.model import DSCP_NAMES, Level, Site, SlaProbes, Thresholds


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


@dataclass(frozen=True)
class SlaOperation(Record):
    """One ``ip sla`` udp-jitter operation to the hub's responder, and its reaction."""

    id: int
    name: str  # the operation's tag
    port: int  # the responder's port
    tos: int  # the class's DSCP as a ToS byte
    codec: bool  # ``codec g711alaw`` (else 100 packets every 20 ms)
    react: str  # the monitored element of its threshold reaction
    threshold: tuple[int, int]  # (upper, lower)


def sla_responder(inv: Inventory) -> str | None:
    """The address of the province's IP SLA responder (a service of kind sla_responder)."""
    services = inv.province.services.values()
    return next((s.address for s in services if s.kind == "sla_responder"), None)


def sla_operations(inv: Inventory, site: Site) -> tuple[SlaOperation, ...]:
    """The operations of a site's router: one per class, none at the hub or without a
    responder."""
    p = inv.province
    if site.level is Level.HUB or not sla_responder(inv):
        return ()
    dscp = {name.upper(): value << 2 for name, value in DSCP_NAMES.items()}
    return tuple(
        SlaOperation(
            id=op,
            name=f"{cls} to hub",
            port=port,
            tos=dscp[cls],
            codec=codec,
            react=SLA_REACTIONS[cls],
            threshold=sla_reaction(
                SLA_REACTIONS[cls], p.thresholds, G711_PACKETS if codec else SLA_PACKETS
            ),
        )
        for op, cls, port, codec in sla_probes(p.sla)
    )
