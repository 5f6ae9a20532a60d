"""The allocator's index of used ranges, kept across sites (as the bench adds thousands): marking
sites one by one must give what rebuilding the index from the written files gives."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollout.inventory.allocate import UsedRanges, allocate_site, used_networks
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Level
from rollout.inventory.newsite import NewSiteRequest, build_site, new_site, write_site

IPv4Net = ipaddress.IPv4Network


@pytest.fixture(autouse=True)
def _the_ten_sites(ten_sites: Path) -> None:
    """The hub and the nine sites of 2017, made-up units allowed (the sites cloned here)."""


networks = st.builds(
    lambda address, prefix: IPv4Net((address, prefix), strict=False),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=20, max_value=32),
)


@given(st.lists(networks, max_size=40), st.lists(networks, max_size=40))
def test_marking_one_by_one_is_building_at_once(first: list[IPv4Net], later: list[IPv4Net]) -> None:
    kept = UsedRanges(first)
    for net in later:
        kept.mark(net)
    at_once = UsedRanges([*first, *later])
    assert kept.spans == at_once.spans
    assert kept.starts == at_once.starts


def _request(n: int) -> NewSiteRequest:
    return NewSiteRequest(
        slug=f"xa-thu-{n}",
        source="bao-thang",
        name=f"Thử {n}",
        code=f"{29990 + n}",
        level=Level.COMMUNE,
        video_calls=0,  # the hub's MCU and WAN are sized for the repository's sites only
    )


def test_a_kept_index_allocates_what_the_written_files_give(repo: Path) -> None:
    inv = load_inventory(repo)
    used = UsedRanges(used_networks(inv))
    kept = []
    for n in range(3):
        _data, addr = build_site(inv, _request(n), used=used)
        used.mark_site(addr)
        kept.append(addr)
    written = []
    for n in range(3):
        new = new_site(load_inventory(repo), _request(n))
        write_site(new)
        written.append(new.addresses)
    assert kept == written
    assert len({a.block for a in kept}) == 3


def test_without_an_index_the_allocator_reads_the_inventory(repo: Path) -> None:
    inv = load_inventory(repo)
    assert allocate_site(inv) == allocate_site(inv, UsedRanges(used_networks(inv)))
