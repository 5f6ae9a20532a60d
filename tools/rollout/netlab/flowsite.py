"""A site's flows through its lab router: the lab's hosts, the flows table
(``rollout.flows.site_flows``, the same rows the router's access lists are derived from), and
the senders and receivers of the traffic no row allows."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from rollout import flows
from rollout.inventory.loader import Inventory
from rollout.netlab.flowcheck import (
    DEFAULT_TIMEOUT,
    FlowLike,
    FlowReport,
    Host,
    check_flows,
)
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import NetlabState


def lab_hosts(inv: Inventory, state: NetlabState, slug: str) -> list[Host]:
    """The lab's addresses on the hub/NOC side, on the site's VLANs and on its router."""
    conf = inv.sites[slug].vlan("conference")
    assert conf is not None
    conf_net = ipaddress.IPv4Network(conf.subnet)
    names = state.names
    sides = {names.hub: "wan", names.rtr(slug): "router", names.lan(slug): "lan"}
    hosts = []
    for address, ns in state.hosts.items():
        side = sides.get(ns)
        if side is None:
            continue
        if side == "lan":
            inside = ipaddress.IPv4Address(address) in conf_net
            side = "conference" if inside else "management"
        hosts.append(Host(address, ns, side))
    if not hosts:
        raise NetlabError(
            f"the network lab in {state.folder} records no hosts (made by an older rollout)",
            f"rollout netlab down; rollout netlab up {slug}",
        )
    return hosts


def drop_pairs(state: NetlabState, slug: str, hosts: Sequence[Host]) -> list[tuple[Host, Host]]:
    """Sender and receiver per chain: WAN-IN forward and input, CONFERENCE-IN forward (to the
    hub and to the cloud) and input."""
    by_address = {h.address: h for h in hosts}
    site, hub = state.sites[slug], state.hub
    router = next(h for h in hosts if h.side == "router")
    names = [
        (hub["mcu"], site.codec),
        (hub["mcu"], router.address),
        (site.codec, hub["mcu"]),
        (site.codec, hub["cloud"]),
        (site.codec, site.conference_gw),
    ]
    return [(by_address[a], by_address[b]) for a, b in names if a in by_address and b in by_address]


def site_flows(inv: Inventory, slug: str) -> list[FlowLike]:
    """The site's flows table."""
    return list(flows.site_flows(inv, inv.sites[slug]))


def check_site(
    inv: Inventory,
    state: NetlabState,
    slug: str,
    table: Sequence[FlowLike] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> FlowReport:
    hosts = lab_hosts(inv, state, slug)
    table = site_flows(inv, slug) if table is None else table
    return check_flows(table, hosts, drop_pairs(state, slug, hosts), timeout)
