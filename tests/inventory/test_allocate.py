"""The allocator: deterministic, lowest free range first, never a collision."""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from repocopy import the_2017_sites
from rollout.inventory.allocate import PoolExhausted, allocate_site, carve_vlans
from rollout.inventory.loader import Inventory, load_inventory
from rollout.inventory.model import Level, Pools, VlanTemplate
from rollout.inventory.newsite import NewSiteRequest, new_site, write_site

IPv4Net = ipaddress.IPv4Network


@pytest.fixture(autouse=True)
def _the_ten_sites(ten_sites: Path) -> None:
    """Every test here starts from the hub and the nine sites of 2017, made-up units allowed."""


def _with(inv: Inventory, slug: str, site: Any, path: Path) -> Inventory:
    """The inventory plus one site, as load_inventory would return it after the file is written."""
    return Inventory(
        inv.root,
        inv.province,
        dict(sorted({**inv.sites, slug: site}.items())),
        {**inv.files, slug: path},
    )


def test_allocation_is_deterministic_across_copies(
    tmp_path: Path, repo: Path, copy_of: Callable[[Path], Path]
) -> None:
    other = the_2017_sites(copy_of(tmp_path / "other"))
    first = allocate_site(load_inventory(repo))
    again = allocate_site(load_inventory(repo))
    elsewhere = allocate_site(load_inventory(other))
    assert first == again == elsewhere


def test_allocation_takes_the_next_free_ranges(repo: Path) -> None:
    addr = allocate_site(load_inventory(repo))
    # the ten sites use 10.16.0-9.0/24, loopbacks .1-.10 and WAN links 10.254.0.0-36/30
    assert addr.block == "10.16.10.0/24"
    assert addr.loopback == "10.255.0.11/32"
    assert addr.wan_link == "10.254.0.40/30"
    assert addr.vlans == {"conference": (10, "10.16.10.0/26"), "management": (20, "10.16.10.64/27")}


def test_allocation_reuses_the_lowest_free_block(repo: Path) -> None:
    # retiring bat-xat frees 10.16.3.0/24, loopback 10.255.0.4 and WAN link 10.254.0.12/30
    (repo / "inventory" / "sites" / "bat-xat.yml").unlink()
    addr = allocate_site(load_inventory(repo))
    assert (addr.block, addr.loopback, addr.wan_link) == (
        "10.16.3.0/24",
        "10.255.0.4/32",
        "10.254.0.12/30",
    )


def test_loopback_allocation_skips_the_pool_network_address(
    repo: Path, edit_province: Callable[..., Path], edit_site: Callable[..., Path]
) -> None:
    # move the hub's loopback off .1: the allocator must still not hand out 10.255.0.0
    def hub(data: dict[str, Any]) -> None:
        data["loopback"] = "10.255.1.1/32"
        data["devices"][0]["mgmt_address"] = "10.255.1.1"

    edit_site("ubnd-tinh", hub)
    addr = allocate_site(load_inventory(repo))
    assert addr.loopback == "10.255.0.1/32"


def test_allocation_avoids_noc_and_cloud_prefixes(
    repo: Path, edit_province: Callable[..., Path]
) -> None:
    # a NOC prefix inside the site pool, exactly where the next block would go
    edit_province(lambda d: d["noc_prefixes"].append("10.16.10.0/23"))
    addr = allocate_site(load_inventory(repo))
    assert addr.block == "10.16.12.0/24"


def test_site_pool_exhaustion_says_which_pool(
    repo: Path, edit_province: Callable[..., Path]
) -> None:
    # a /20 holds sixteen /24 blocks; ten are used
    edit_province(lambda d: d["pools"].update(site_lan="10.16.0.0/20"))
    inv = load_inventory(repo)
    for i in range(6):
        req = NewSiteRequest(slug=f"xa-{i}", source="bao-thang", name=f"Xã {i}", code=f"2000{i}")
        created = new_site(inv, req)
        inv = _with(inv, created.site.slug, created.site, created.path)
    with pytest.raises(PoolExhausted) as info:
        allocate_site(inv)
    assert info.value.message == "the site LAN pool 10.16.0.0/20 has no free /24 left"
    assert "add a pool range in inventory/province.yml" in info.value.fix


def test_loopback_pool_exhaustion(repo: Path, edit_province: Callable[..., Path]) -> None:
    # a /28 has .1-.15 usable; the ten sites take .1-.10
    edit_province(lambda d: d["pools"].update(loopbacks="10.255.0.0/28"))
    inv = load_inventory(repo)
    for i in range(5):
        req = NewSiteRequest(slug=f"xa-{i}", source="bao-thang", name="X", code=f"2000{i}")
        created = new_site(inv, req)
        inv = _with(inv, created.site.slug, created.site, created.path)
    with pytest.raises(
        PoolExhausted, match=re.escape("the loopback pool 10.255.0.0/28 has no free /32")
    ):
        allocate_site(inv)


def test_pool_smaller_than_one_range(repo: Path, edit_province: Callable[..., Path]) -> None:
    edit_province(lambda d: d["pools"].update(wan_links="10.254.0.0/31"))
    inv = load_inventory(repo, check=False)  # the existing links are outside that pool
    with pytest.raises(
        PoolExhausted, match=re.escape("the WAN link pool 10.254.0.0/31 is smaller than one /30")
    ):
        allocate_site(inv)


def test_larger_site_blocks_are_aligned(repo: Path, edit_province: Callable[..., Path]) -> None:
    edit_province(lambda d: d["pools"].update(site_prefix_length=16))
    addr = allocate_site(load_inventory(repo, check=False))
    assert addr.block == "10.17.0.0/16"  # 10.16.0.0/16 holds every existing site


def _hub_for_many_sites(repo: Path) -> None:
    """Size the hub's MCU licence and WAN contract for hundreds of sites (capacity rule)."""
    province = repo / "inventory" / "province.yml"
    province.write_text(
        province.read_text(encoding="utf-8").replace("video_ports: 120", "video_ports: 1000"),
        encoding="utf-8",
    )
    hub = repo / "inventory" / "sites" / "ubnd-tinh.yml"
    hub.write_text(
        hub.read_text(encoding="utf-8")
        .replace("rate_kbps: 600000\n", "rate_kbps: 10000000\n")
        .replace("port_kbps: 1000000\n", "port_kbps: 10000000\n"),
        encoding="utf-8",
    )


def test_three_hundred_communes_never_collide(repo: Path, problems_of: Any) -> None:
    """A province of about 300 communes, each cloned from the pilot, each file written."""
    _hub_for_many_sites(repo)
    inv = load_inventory(repo)
    count = 300
    for i in range(count):
        req = NewSiteRequest(
            slug=f"xa-{i:03d}",
            source="bao-thang",
            name=f"Xã Số {i}",
            code=f"{20000 + i}",
            level=Level.COMMUNE,
        )
        created = new_site(inv, req)
        write_site(created)
        inv = _with(inv, created.site.slug, created.site, created.path)

    assert problems_of(repo) == []
    reloaded = load_inventory(repo)
    assert len(reloaded.sites) == 10 + count
    communes = [s for s in reloaded.sites.values() if s.level is Level.COMMUNE]
    assert len(communes) == count + 9  # the nine sites of 2017 are communes since 2025
    assert all(len(s.code) == 5 for s in communes)

    nets: list[IPv4Net] = []
    for site in reloaded.sites.values():
        nets += [IPv4Net(site.block), IPv4Net(site.loopback), IPv4Net(site.wan.link)]
    ordered = sorted(nets, key=lambda n: int(n.network_address))
    for a, b in itertools.pairwise(ordered):
        assert int(a.broadcast_address) < int(b.network_address), f"{a} overlaps {b}"
    for kind in ("code", "hostnames", "mgmt", "e164"):
        values: list[str] = []
        for site in reloaded.sites.values():
            if kind == "code":
                values.append(site.code)
            for dev in site.devices:
                if kind == "hostnames":
                    values.append(dev.hostname)
                elif kind == "mgmt":
                    values.append(dev.mgmt_address)
                elif kind == "e164" and hasattr(dev, "e164"):
                    values.append(dev.e164)
        assert len(values) == len(set(values)), f"duplicate {kind}"


# --- carve_vlans -----------------------------------------------------------------------------


def _pools(layout: list[tuple[int, str, int]]) -> Pools:
    return Pools(
        site_lan="10.16.0.0/12",
        wan_links="10.254.0.0/16",
        loopbacks="10.255.0.0/16",
        lan_layout=[VlanTemplate(id=i, name=n, prefix_length=p) for i, n, p in layout],
    )


def test_carve_vlans_aligns_the_largest_first_and_keeps_layout_order() -> None:
    # written small-first: a naive carve would put the /26 at .32, which is not aligned
    pools = _pools([(20, "management", 27), (10, "conference", 26), (30, "cameras", 28)])
    vlans = carve_vlans(IPv4Net("10.16.7.0/24"), pools)
    assert list(vlans) == ["management", "conference", "cameras"]
    assert vlans == {
        "management": (20, "10.16.7.64/27"),
        "conference": (10, "10.16.7.0/26"),
        "cameras": (30, "10.16.7.96/28"),
    }
    block = IPv4Net("10.16.7.0/24")
    subnets = [IPv4Net(net) for _, net in vlans.values()]  # strict: raises if unaligned
    for i, a in enumerate(subnets):
        assert a.subnet_of(block)
        assert not any(a.overlaps(b) for b in subnets[i + 1 :])


def test_carve_vlans_fills_a_block_exactly() -> None:
    pools = _pools([(10, "a", 25), (20, "b", 26), (30, "c", 27), (40, "d", 28), (50, "e", 28)])
    vlans = carve_vlans(IPv4Net("10.16.7.0/24"), pools)
    assert sum(IPv4Net(n).num_addresses for _, n in vlans.values()) == 256


def test_carve_vlans_refuses_a_layout_larger_than_the_block() -> None:
    pools = _pools([(10, "a", 25), (20, "b", 25), (30, "c", 30)])
    with pytest.raises(
        PoolExhausted, match=re.escape("pools.lan_layout does not fit a /24 site block")
    ):
        carve_vlans(IPv4Net("10.16.7.0/24"), pools)


def test_host_offset_outside_the_vlan_is_refused(repo: Path) -> None:
    addr = allocate_site(load_inventory(repo))
    assert addr.host("management", 2) == "10.16.10.66"
    with pytest.raises(PoolExhausted, match="host offset 31 does not fit VLAN management"):
        addr.host("management", 31)  # the /27's broadcast address
