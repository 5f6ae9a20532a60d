"""What a site's WAN router does whatever its platform: routes and the access lists, from the
province's plan and the flows table (the Cisco and the Linux router render the same)."""

from __future__ import annotations

from rollout import flows
from rollout.acl import Ace
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Level, Site


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
    return flows.acl_sections(inv, site, flows.WAN_IN)


def conference_in_acl(inv: Inventory, site: Site) -> list[tuple[str, list[Ace]]]:
    """Inbound on the conference VLAN: what the codec and the room client open, and their
    replies to what the hub and the NOC open (derived in flows.py)."""
    return flows.acl_sections(inv, site, flows.CONFERENCE_IN)


def cloud_marking_acl(inv: Inventory, site: Site) -> list[Ace]:
    """CLOUD-MEETING: the room client's traffic to the cloud service, marked on LAN ingress."""
    return flows.marking_aces(inv, site)
