"""How rollout reaches the network lab's routers: the lab publishes one endpoint per site router
(``rollout.endpoints``: a linux_router standing in for the site's WAN router, its sshd on the
management address, root with the vault's admin key, the lab's minute) and builds its own
Targets from them the way production does (``rollout.targets.target_for``)."""

from __future__ import annotations

from pathlib import Path

from rollout.drivers.base import Target
from rollout.endpoints import Endpoint, Where, read_endpoints, write_endpoints
from rollout.inventory.loader import Inventory
from rollout.inventory.model import Platform, Router, Site
from rollout.netlab.ns import NetlabError
from rollout.netlab.state import ROUTER_RUN, NetlabState
from rollout.secrets import Secrets
from rollout.standin import wan_router
from rollout.targets import target_for

SSH_USER = "root"  # tc and nft need root in the router's namespace


def lab_router(site: Site) -> Router:
    """The site's router as the lab runs it: itself if linux_router, else its Linux twin."""
    return wan_router(site, Platform.LINUX_ROUTER)


def endpoints(inv: Inventory, state: NetlabState) -> list[Endpoint]:
    """Per site with a management sshd: where its router answers."""
    return [
        Endpoint(
            lab_router(inv.sites[slug]).hostname,
            Platform.LINUX_ROUTER,
            site.mgmt,
            22,
            state.known_hosts,
            Where.NETLAB,
            folder=str(ROUTER_RUN / state.names.rtr(slug)),
            minute_seconds=state.minute_seconds,
            user=SSH_USER,
            site=slug,
        )
        for slug, site in state.sites.items()
        if site.mgmt
    ]


def publish_endpoints(inv: Inventory, state: NetlabState) -> Path:
    """Write the routers' endpoints into the lab's folder, for rollout to read."""
    return write_endpoints(Path(state.folder), endpoints(inv, state))


def router_target(
    inv: Inventory, state: NetlabState, slug: str, secrets: Secrets, timeout: float = 20.0
) -> Target:
    """How rollout reaches the lab's router of a site: its sshd, as root, with the vault key."""
    fix = f"rollout netlab down; rollout netlab up {slug}"
    site = state.sites.get(slug)
    router = lab_router(inv.sites[slug])
    found = read_endpoints(Path(state.folder), fix) if site is not None and site.mgmt else {}
    endpoint = found.get(router.hostname)
    if endpoint is None:
        raise NetlabError(
            f"site {slug} has no managed router in the network lab ({state.folder})", fix
        )
    return target_for(inv, router, endpoint, secrets, timeout)
