"""Deterministic, collision-free address allocation from the province pools.

Every allocation takes the lowest free range of a pool, where "free" means it overlaps nothing
any site file or the province file already uses. The same repository therefore always gives
the same answer, and two allocations can never collide.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from rollout.errors import RolloutError
from rollout.inventory.inventory import Inventory
from rollout.inventory.model import Pools

IPv4Net = ipaddress.IPv4Network


class PoolExhausted(RolloutError):
    pass


class UsedRanges:
    """Sorted, merged intervals of used addresses; lookups are O(log n).

    ``allocate_site`` builds one from the inventory; a caller that adds many sites in a row
    keeps one and marks each site's ranges in it (``mark``) instead of rebuilding it per site.
    """

    def __init__(self, nets: Iterable[IPv4Net]) -> None:
        spans = sorted((int(n.network_address), int(n.broadcast_address)) for n in nets)
        merged: list[list[int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.starts = [m[0] for m in merged]
        self.spans = merged

    def next_free(self, lo: int, size: int) -> int:
        """The lowest address >= lo, aligned to size, whose span of size is unused."""
        cand = -(-lo // size) * size
        while True:
            i = bisect.bisect_right(self.starts, cand + size - 1) - 1
            if i >= 0 and self.spans[i][1] >= cand:
                cand = -(-(self.spans[i][1] + 1) // size) * size
                continue
            return cand

    def mark(self, net: IPv4Net) -> None:
        """Record net as used, merged with every range it overlaps or touches."""
        lo, hi = int(net.network_address), int(net.broadcast_address)
        i = bisect.bisect_left(self.starts, lo)
        if i > 0 and self.spans[i - 1][1] >= lo - 1:
            i -= 1
        j = i
        while j < len(self.spans) and self.spans[j][0] <= hi + 1:
            lo, hi = min(lo, self.spans[j][0]), max(hi, self.spans[j][1])
            j += 1
        self.spans[i:j] = [[lo, hi]]
        self.starts[i:j] = [lo]

    def mark_site(self, addr: SiteAddresses) -> None:
        """Record a site's block, loopback and WAN link as used."""
        for net in (addr.block, addr.loopback, addr.wan_link):
            self.mark(IPv4Net(net))


def _take(
    pool_text: str, prefix_len: int, used: UsedRanges, what: str, skip_first: bool
) -> IPv4Net:
    pool = IPv4Net(pool_text)
    if prefix_len < pool.prefixlen:
        raise PoolExhausted(
            f"the {what} pool {pool} is smaller than one /{prefix_len}",
            "enlarge the pool in inventory/province.yml",
        )
    size = 1 << (32 - prefix_len)
    start = int(pool.network_address) + (size if skip_first else 0)
    cand = used.next_free(start, size)
    if cand + size - 1 > int(pool.broadcast_address):
        raise PoolExhausted(
            f"the {what} pool {pool} has no free /{prefix_len} left",
            "add a pool range in inventory/province.yml (pools) or retire unused sites",
        )
    return IPv4Net((cand, prefix_len))


@dataclass(frozen=True)
class SiteAddresses:
    block: str
    loopback: str
    wan_link: str
    vlans: dict[str, tuple[int, str]]  # name -> (vlan id, subnet)

    def host(self, vlan: str, offset: int) -> str:
        net = IPv4Net(self.vlans[vlan][1])
        if not 0 < offset < net.num_addresses - 1:
            raise PoolExhausted(
                f"host offset {offset} does not fit VLAN {vlan} ({net})",
                "lower the offset in pools.hosts or widen the VLAN in pools.lan_layout",
            )
        return str(net.network_address + offset)


def carve_vlans(block: IPv4Net, pools: Pools) -> dict[str, tuple[int, str]]:
    """Cut the site block into the layout's VLANs, largest first so every subnet aligns."""
    layout = sorted(pools.lan_layout, key=lambda v: (v.prefix_length, v.id))
    offset = int(block.network_address)
    out: dict[str, tuple[int, str]] = {}
    for vlan in layout:
        size = 1 << (32 - vlan.prefix_length)
        offset = -(-offset // size) * size
        if offset + size - 1 > int(block.broadcast_address):
            raise PoolExhausted(
                f"pools.lan_layout does not fit a /{block.prefixlen} site block",
                "shrink the VLANs in pools.lan_layout or raise pools.site_prefix_length",
            )
        out[vlan.name] = (vlan.id, str(IPv4Net((offset, vlan.prefix_length))))
        offset += size
    return {v.name: out[v.name] for v in pools.lan_layout}


def used_networks(inv: Inventory) -> list[IPv4Net]:
    nets = [IPv4Net(p) for p in (*inv.province.noc_prefixes, *inv.province.cloud.prefixes)]
    for site in inv.sites.values():
        nets += [IPv4Net(site.block), IPv4Net(site.loopback), IPv4Net(site.wan.link)]
    return nets


def allocate_site(inv: Inventory, used: UsedRanges | None = None) -> SiteAddresses:
    """The lowest free block, loopback and WAN link of the pools for one new site.

    ``used`` is the index of used ranges; without it, it is built from every site of inv.
    """
    pools = inv.province.pools
    if used is None:
        used = UsedRanges(used_networks(inv))
    block = _take(pools.site_lan, pools.site_prefix_length, used, "site LAN", skip_first=False)
    loop_pool = IPv4Net(pools.loopbacks)
    loopback = _take(str(loop_pool), 32, used, "loopback", skip_first=True)
    wan = _take(pools.wan_links, pools.wan_link_prefix_length, used, "WAN link", skip_first=False)
    return SiteAddresses(str(block), str(loopback), str(wan), carve_vlans(block, pools))
