"""What a healthy site looks like, from the intent: the figures the rules compare evidence with.

Everything here comes from the inventory through `rollout.intent` (the same functions the
templates are rendered from), so a diagnosis and a rollout never disagree on what is intended.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from rollout.intent.base import shaped_kbps, wan_addresses
from rollout.intent.sla import sla_operations, sla_responder
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Codec, Router, Switch

WAN_POLICY = "WAN-SHAPER"
"""The policy on the router's WAN interface (templates/cisco_ios/wan_router.j2:
``service-policy output WAN-SHAPER``, the parent shaper over the WAN-QUEUING classes)."""


@dataclass(frozen=True)
class Expectations:
    """The intended figures of one site (empty strings where the site has no such part)."""

    site: str
    router: str = ""
    switch: str = ""
    codec: str = ""
    wan_interface: str = ""
    lan_interface: str = ""
    switch_ports: dict[str, str] = field(default_factory=dict)  # role -> switch port
    policy: str = WAN_POLICY
    contract_kbps: int = 0  # wan.rate_kbps
    shape_kbps: int = 0  # the shaper's intended rate (qos.shape_percent of the contract)
    call_budget_kbps: int = 0  # conference.call_rate_kbps: the rate one call may use
    registrars: dict[str, str] = field(default_factory=dict)  # gatekeeper | sip -> address
    probes: dict[str, str] = field(default_factory=dict)  # next_hop|hub|mcu|registrar|cloud
    sla_classes: dict[int, str] = field(default_factory=dict)  # operation id -> EF, AF41 ...
    media: tuple[tuple[str, int, int], ...] = ()  # (udp|tcp, first, last) of conference media
    loss_percent: float = 1.0  # province thresholds (rollout.quality judges by the same)
    jitter_ms: float = 30.0


def expectations(inv: Inventory, slug: str) -> Expectations:
    site = inv.sites[slug]
    p = inv.province
    router = next((d for d in site.devices if isinstance(d, Router)), None)
    switch = next((d for d in site.devices if isinstance(d, Switch)), None)
    codec = next((d for d in site.devices if isinstance(d, Codec)), None)
    services = p.services
    by_kind = {s.kind: s.address for s in services.values()}
    probes: dict[str, str] = {}
    if router is not None:
        probes["next_hop"] = wan_addresses(str(site.wan.link))[0]
    hub = sla_responder(inv)
    if hub:
        probes["hub"] = str(hub)
    if "mcu" in by_kind:
        probes["mcu"] = str(by_kind["mcu"])
    registrars: dict[str, str] = {}
    if codec is not None:
        registrars = {
            "gatekeeper": str(services[codec.gatekeeper].address),
            "sip": str(services[codec.registrar].address),
        }
        probes["registrar"] = registrars["sip"]
    elif "sip_registrar" in by_kind:
        probes["registrar"] = str(by_kind["sip_registrar"])
    if p.cloud is not None and p.cloud.prefixes:
        net = ipaddress.ip_network(str(p.cloud.prefixes[0]), strict=False)
        probes["cloud"] = str(next(net.hosts(), net.network_address))
    media = tuple(
        (proto, span.first, span.last)
        for proto, span in (
            ("udp", p.media.codec_udp),
            ("tcp", p.media.codec_tcp),
            ("udp", p.media.mcu_udp),
        )
    )
    return Expectations(
        site=slug,
        router=router.hostname if router else "",
        switch=switch.hostname if switch else "",
        codec=codec.hostname if codec else "",
        wan_interface=router.wan_interface if router else "",
        lan_interface=router.lan_interface if router else "",
        switch_ports={
            "codec_port": switch.codec_port,
            "room_client_port": switch.room_client_port,
            "uplink": switch.uplink,
        }
        if switch
        else {},
        contract_kbps=site.wan.rate_kbps,
        shape_kbps=shaped_kbps(inv, site),
        call_budget_kbps=site.conference.call_rate_kbps,
        registrars=registrars,
        probes=probes,
        sla_classes={op.id: op.name.split()[0] for op in sla_operations(inv, site)},
        media=media,
        loss_percent=p.thresholds.loss_percent,
        jitter_ms=p.thresholds.jitter_ms,
    )
