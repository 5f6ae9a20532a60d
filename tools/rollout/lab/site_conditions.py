"""From `rollout lab condition DEVICE KIND` to the conditions each lab device gets.

The lab's world is the inventory: where the MCU, the registrar and the cloud are, which port
the codec is cabled to, the access link's contract. A condition that spans devices is set on
each of them: ``registrar_down`` on the site's codec (it loses its registration) and on its
router (pings to the registrar and gatekeeper fail); ``bleach`` on the hub router (the DSCP
of the site's traffic arrives as 0, with that traffic); ``unreachable --target registrar``
also takes the codec's registration.

The lab's calls (``media``) are the site's codec talking to the MCU (audio EF, video AF41,
the Polycom and RMX port ranges of inventory/province.yml ``media``) and the room client
talking to the cloud prefixes (unmarked), at the site's call rate; the part bound for the
hub's services also reaches the hub router (its WAN input counters).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from rollout.errors import RolloutError
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Device, Role
from rollout.lab.conditions import (
    DSCP_VALUES,
    Bleach,
    Condition,
    DuplexMismatch,
    Flow,
    LinkFlaps,
    Load,
    Media,
    PortErrors,
    ProviderDrops,
    RegistrarDown,
    Unreachable,
)

TARGETS = ("mcu", "registrar", "cloud", "next_hop", "hub")
"""What ``unreachable --target`` names (resolved from the inventory)."""
KINDS = (
    "port_errors",
    "duplex_mismatch",
    "link_flaps",
    "load",
    "provider_drops",
    "unreachable",
    "registrar_down",
    "media",
    "bleach",
)
AUDIO_KBPS = 64
AUDIO_BYTES = 214
"""G.711 at 20 ms: 160 bytes of voice + RTP/UDP/IP headers (ITU-T G.711, RFC 3550)."""


@dataclass(frozen=True, slots=True)
class Options:
    interface: str | None = None
    crc_per_second: float = 5.0
    count: int = 3
    seconds: float = 30.0
    offered: dict[str, float] = field(default_factory=dict)
    contract_kbps: int | None = None
    targets: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


def _site_of(inv: Inventory, hostname: str) -> tuple[str, Device]:
    for site, device in inv.devices():
        if device.hostname == hostname:
            return site.slug, device
    raise RolloutError(f"no device {hostname!r} in the inventory", "see `rollout lab status`")


def _role(inv: Inventory, slug: str, role: Role) -> Device:
    found = next((d for d in inv.sites[slug].devices if d.role is role), None)
    if found is None:
        raise RolloutError(f"site {slug} has no {role.value}", "check its inventory file")
    return found


def _services(inv: Inventory, *kinds: str) -> tuple[str, ...]:
    return tuple(f"{s.address}/32" for s in inv.province.services.values() if s.kind in kinds)


def plan(inv: Inventory, hostname: str, kind: str, opts: Options) -> list[tuple[str, Condition]]:
    """(device, condition) pairs that realise ``kind`` for the site of ``hostname``."""
    slug, device = _site_of(inv, hostname)
    site = inv.sites[slug]
    if kind in ("port_errors", "duplex_mismatch", "link_flaps"):
        port = opts.interface or _default_port(device)
        if kind == "port_errors":
            return [(hostname, PortErrors(port, opts.crc_per_second))]
        if kind == "duplex_mismatch":
            return [(hostname, DuplexMismatch(port))]
        return [(hostname, LinkFlaps(port, opts.count, opts.seconds))]
    router = _role(inv, slug, Role.WAN_ROUTER)
    wan = opts.interface or getattr(router, "wan_interface", None) or ""
    rate = site.wan.rate_kbps
    calls = site.conference.simultaneous_video_calls
    call_rate = site.conference.call_rate_kbps
    if kind == "load":
        offered = opts.offered or {
            "ef": float(AUDIO_KBPS * calls * 2),
            "af41": float(call_rate * calls),
            "default": float(rate),
        }
        return [(router.hostname, Load(wan, offered, opts.contract_kbps or rate))]
    if kind == "provider_drops":
        busy = opts.offered or {
            "ef": float(AUDIO_KBPS * calls),
            "af41": float(call_rate * calls),
            "default": max(rate * 0.85 - call_rate * calls - AUDIO_KBPS * calls, 0.0),
        }
        contract = opts.contract_kbps or int(rate * 0.7)
        return [
            (router.hostname, Load(wan, busy, rate)),
            (router.hostname, ProviderDrops(contract)),
        ]
    if kind == "unreachable":
        prefixes = list(opts.prefixes)
        for target in opts.targets:
            prefixes += _target(inv, slug, target)
        if not prefixes:
            raise RolloutError(
                "unreachable: nothing to make unreachable",
                f"give --target ({', '.join(TARGETS)}) or --prefix",
            )
        out: list[tuple[str, Condition]] = [(router.hostname, Unreachable(tuple(prefixes)))]
        if "registrar" in opts.targets:
            out.append((_role(inv, slug, Role.CODEC).hostname, RegistrarDown()))
        return out
    if kind == "registrar_down":
        codec = _role(inv, slug, Role.CODEC)
        gone = _services(inv, "sip_registrar", "h323_gatekeeper")
        return [(codec.hostname, RegistrarDown()), (router.hostname, Unreachable(gone))]
    hub = _role(inv, inv.province.hub, Role.WAN_ROUTER)
    hub_block = inv.sites[inv.province.hub].block
    to_hub = tuple(  # what reaches the hub router: the site's calls to the hub's services
        f for f in site_flows(inv, slug) if _in(f.src, site.block) and _in(f.dst, hub_block)
    )
    if kind == "media":
        out = [(router.hostname, Media(site_flows(inv, slug)))]
        if hub.hostname != router.hostname and to_hub:
            out.append((hub.hostname, Media(to_hub)))
        return out
    if kind == "bleach":
        return [(hub.hostname, Bleach((site.block,))), (hub.hostname, Media(to_hub))]
    raise RolloutError(f"unknown condition {kind!r}", f"use one of: {', '.join(KINDS)}")


def _in(address: str, prefix: str) -> bool:
    return ipaddress.IPv4Address(address.split("/", maxsplit=1)[0]) in ipaddress.IPv4Network(prefix)


def _default_port(device: Device) -> str:
    which = "codec_port" if device.role is Role.LAN_SWITCH else "wan_interface"
    port = getattr(device, which, None)
    if not port:
        raise RolloutError(
            f"{device.hostname}: no default interface for this condition", "give --interface"
        )
    return str(port)


def _target(inv: Inventory, slug: str, target: str) -> list[str]:
    if target == "mcu":
        return list(_services(inv, "mcu"))
    if target == "registrar":
        return list(_services(inv, "sip_registrar", "h323_gatekeeper"))
    if target == "hub":
        return list(_services(inv, "sla_responder"))
    if target == "cloud":
        return list(inv.province.cloud.prefixes)
    if target == "next_hop":
        link = ipaddress.IPv4Network(inv.sites[slug].wan.link)
        return [f"{h}/32" for h in link.hosts()]
    raise RolloutError(f"unknown target {target!r}", f"use one of: {', '.join(TARGETS)}")


def site_flows(inv: Inventory, slug: str) -> tuple[Flow, ...]:
    """The site's calls in progress, both ways: codec <-> MCU, room client <-> cloud."""
    site = inv.sites[slug]
    media = inv.province.media
    codec = _role(inv, slug, Role.CODEC).mgmt_address
    mcu = next(s.address for s in inv.province.services.values() if s.kind == "mcu")
    video = float(max(site.conference.call_rate_kbps - AUDIO_KBPS, 64))
    c0, m0 = media.codec_udp.first, media.mcu_udp.first
    flows = [
        Flow("udp", codec, c0, mcu, m0, DSCP_VALUES["ef"], float(AUDIO_KBPS), AUDIO_BYTES),
        Flow("udp", codec, c0 + 2, mcu, m0 + 2, DSCP_VALUES["af41"], video, 1100),
        Flow("udp", mcu, m0, codec, c0, DSCP_VALUES["ef"], float(AUDIO_KBPS), AUDIO_BYTES),
        Flow("udp", mcu, m0 + 2, codec, c0 + 2, DSCP_VALUES["af41"], video, 1100),
    ]
    client = next((d for d in site.devices if d.role is Role.ROOM_CLIENT), None)
    udp = next((p for p in inv.province.cloud.ports if p.protocol == "udp" and p.last), None)
    if client is not None and udp is not None and inv.province.cloud.prefixes:
        cloud = str(next(ipaddress.IPv4Network(inv.province.cloud.prefixes[0]).hosts()))
        kbps = float(inv.province.cloud.room_bandwidth_kbps)
        flows += [
            Flow("udp", client.mgmt_address, udp.first, cloud, udp.first, 0, kbps, 1100),
            Flow("udp", cloud, udp.first, client.mgmt_address, udp.first, 0, kbps, 1100),
        ]
    return tuple(flows)
