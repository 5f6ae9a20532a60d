"""What a site's WAN router does whatever its platform: routes and the access lists, from the
province's plan and the flows table (the Cisco and the Linux router render the same)."""

from __future__ import annotations

from rollout import flows
from rollout.acl import Ace
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Level, Role, Site

DSCP_WATCH_REMARK = "dscp-watch: per site, codec media to the MCU marked EF, then the rest of it"
# An IOS remark holds at most 100 characters (Cisco IOS Security Command Reference, "remark").


def router_routes(inv: Inventory, site: Site) -> list[tuple[str, str]]:
    """The router's static routes through the WAN, (prefix, name): to the hub (at the hub: to
    the sites), to the NOC and to the cloud service."""
    p = inv.province
    if site.level is Level.HUB:
        routes = [(p.pools.site_lan, "SITES"), (p.pools.loopbacks, "SITE-LOOPBACKS")]
    else:
        routes = [(inv.hub.block, "HUB-LAN"), (inv.hub.loopback, "HUB-LOOPBACK")]
    routes += [(n, "NOC") for n in p.noc_prefixes]
    routes += [(n, "CLOUD-MEETING") for n in p.cloud.prefixes]
    return routes


def wan_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the WAN: the requests the flows table opens towards the site and the replies
    of the flows the site opens (derived in flows.py)."""
    sections = flows.acl_sections(inv, site, flows.WAN_IN)
    if site.level is Level.HUB:
        watch = dscp_watch_aces(inv)
        if watch:
            sections.insert(0, (DSCP_WATCH_REMARK, watch))
    return sections


def dscp_watch_aces(inv: Inventory) -> list[Ace]:
    """At the hub, per site, two entries ahead of the list: its codec's media to the MCU
    marked EF (the audio), then the rest of it. Both permit a subset of what the media-to-mcu
    entry permits, so the list passes what it passed; their hit counters (``show
    access-lists``: ``(N matches)``, Cisco IOS Security Command Reference, "show
    access-lists") say per site whether the marking survives the provider: media arriving
    with no EF match is the DSCP cleared on the way. ``dscp ef`` in an extended entry: Cisco
    IOS Security Command Reference, "permit (IP)" (the ``dscp`` keyword)."""
    p = inv.province
    mcu = next((s.address for s in p.services.values() if s.kind == "mcu"), None)
    if mcu is None:
        return []
    codec_ports = f"range {p.media.codec_udp.first} {p.media.codec_udp.last}"
    mcu_ports = f"range {p.media.mcu_udp.first} {p.media.mcu_udp.last}"
    aces: list[Ace] = []
    for slug in sorted(inv.sites):
        site = inv.sites[slug]
        if site.level is Level.HUB:
            continue
        for dev in site.devices:
            if dev.role is not Role.CODEC:
                continue
            src = f"host {dev.mgmt_address} {codec_ports}"
            dst = f"host {mcu} {mcu_ports}"
            aces.append(Ace("permit", "udp", src, dst, extra="dscp ef"))
            aces.append(Ace("permit", "udp", src, dst))
    return aces


def conference_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the conference VLAN: what the codec and the room client open, and their
    replies to what the hub and the NOC open (derived in flows.py)."""
    return flows.acl_sections(inv, site, flows.CONFERENCE_IN)


def cloud_marking_acl(inv: Inventory, site: Site) -> list[Ace]:
    """CLOUD-MEETING: the room client's traffic to the cloud service, marked on LAN ingress."""
    return flows.marking_aces(inv, site)
