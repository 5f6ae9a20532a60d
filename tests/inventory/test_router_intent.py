"""The router's intent and its rendering: WAN addresses on /30 and /31, the shaped rate, the NOC
lock-out guard, SNMP traps and the IP SLA threshold reactions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rollout.intent import device_context, htb_classes, sla_reaction, wan_addresses
from rollout.inventory.allocate import allocate_site
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Platform, Role, Router, Thresholds
from rollout.render import render_device
from rollout.secrets import load_secrets

SiteEdit = Callable[[str, Callable[[dict[str, Any]], None]], Path]
ProvinceEdit = Callable[[Callable[[dict[str, Any]], None]], Path]


@pytest.mark.parametrize(
    ("link", "peer", "own"),
    [
        ("10.254.0.4/30", "10.254.0.5", "10.254.0.6"),
        ("10.254.0.32/31", "10.254.0.32", "10.254.0.33"),
        ("10.254.0.33/32", None, None),
    ],
)
def test_wan_addresses(link: str, peer: str | None, own: str | None) -> None:
    if peer is None:
        with pytest.raises(ValueError, match="/30 or a /31"):
            wan_addresses(link)
        return
    assert wan_addresses(link) == (peer, own)


def _router_text(repo: Path, slug: str) -> tuple[str, dict[str, Any]]:
    inv = load_inventory(repo)
    secrets = load_secrets(repo)
    site = inv.sites[slug]
    router = site.device(Role.WAN_ROUTER)
    assert router is not None
    return (
        render_device(inv, site, router, secrets).text,
        device_context(inv, site, router, secrets),
    )


def test_a_31_link_renders_both_addresses_on_link(repo: Path, edit_site: SiteEdit) -> None:
    edit_site("bao-yen", lambda d: d["wan"].update(link="10.254.0.28/31"))
    text, ctx = _router_text(repo, "bao-yen")
    lines = text.splitlines()
    assert " ip address 10.254.0.29 255.255.255.254" in lines
    assert "ip route 10.16.0.0 255.255.255.0 10.254.0.28 name HUB-LAN" in lines
    assert (ctx["wan_peer"], ctx["wan_address"]) == ("10.254.0.28", "10.254.0.29")


def test_a_30_link_keeps_provider_1_site_2(repo: Path) -> None:
    text, _ = _router_text(repo, "bao-thang")  # 10.254.0.4/30
    assert " ip address 10.254.0.6 255.255.255.252" in text.splitlines()
    assert "ip route 10.255.0.1 255.255.255.255 10.254.0.5 name HUB-LOOPBACK" in text.splitlines()


def test_linux_router_takes_the_same_31_addresses(repo: Path, edit_site: SiteEdit) -> None:
    def change(d: dict[str, Any]) -> None:
        d["wan"]["link"] = "10.254.0.28/31"
        d["devices"][0].update(platform="linux_router", wan_interface="eth0", lan_interface="eth1")

    edit_site("bao-yen", change)
    inv = load_inventory(repo)
    site = inv.sites["bao-yen"]
    router = site.device(Role.WAN_ROUTER)
    assert isinstance(router, Router) and router.platform is Platform.LINUX_ROUTER
    ctx = device_context(inv, site, router, load_secrets(repo))
    assert ctx["wan_prefix"] == "10.254.0.29/31"
    assert ctx["wan_peer"] == "10.254.0.28"
    assert ctx["htb_root_kbps"] == 10000 * 95 // 100


def test_the_allocator_hands_out_31s_when_the_province_says_so(
    repo: Path, edit_province: ProvinceEdit
) -> None:
    edit_province(lambda d: d["pools"].update(wan_link_prefix_length=31))
    link = allocate_site(load_inventory(repo)).wan_link
    assert link.endswith("/31")
    peer, own = wan_addresses(link)
    assert peer != own


def test_shaper_and_htb_use_the_same_share_of_the_contract(
    repo: Path, edit_province: ProvinceEdit
) -> None:
    edit_province(lambda d: d["qos"].update(shape_percent=97))
    text, ctx = _router_text(repo, "bao-thang")  # 10000 kbit/s contracted
    assert "  shape average 9700000" in text.splitlines()
    inv = load_inventory(repo)
    htb = htb_classes(inv, inv.sites["bao-thang"])
    default = next(c for c in htb if c["name"] == "class-default")
    assert default["ceil_kbps"] == 9700
    video = next(c for c in ctx["qos"] if c["name"] == "VIDEO")
    assert video["kbps"] == 9700 * 52 // 100


@pytest.mark.parametrize("bad", [49, 101])
def test_shape_percent_is_validated(
    repo: Path, edit_province: ProvinceEdit, problems_of: Callable[[Path], Any], bad: int
) -> None:
    edit_province(lambda d: d["qos"].update(shape_percent=bad))
    problems = problems_of(repo)
    assert any(p.path == "qos.shape_percent" for p in problems), problems


def test_noc_is_never_locked_out_by_the_quiet_period(repo: Path) -> None:
    text, _ = _router_text(repo, "bao-thang")
    lines = text.splitlines()
    block = lines.index("login block-for 120 attempts 5 within 60")
    assert lines[block + 1] == "login quiet-mode access-class NOC-MGMT"
    assert "ip access-list standard NOC-MGMT" in lines


def test_snmp_traps_are_enabled_for_the_managers(repo: Path) -> None:
    text, _ = _router_text(repo, "bao-thang")
    lines = text.splitlines()
    for family in ("snmp linkdown linkup coldstart", "config", "ipsla"):
        assert f"snmp-server enable traps {family}" in lines
    assert any(line.startswith("snmp-server host ") for line in lines)
    hub, _ = _router_text(repo, "ubnd-tinh")  # no probes at the hub: no IP SLA traps
    assert "snmp-server enable traps config" in hub.splitlines()
    assert "snmp-server enable traps ipsla" not in hub.splitlines()


def test_sla_reactions_follow_the_province_thresholds(
    repo: Path, edit_province: ProvinceEdit
) -> None:
    def change(d: dict[str, Any]) -> None:
        d["thresholds"].update(jitter_ms=20, one_way_delay_ms=100, mos_min=3.9, loss_percent=2)

    edit_province(change)
    text, _ = _router_text(repo, "bao-thang")
    reactions = [x for x in text.splitlines() if x.startswith("ip sla reaction-configuration")]
    tail = "threshold-type immediate action-type trapOnly"
    assert reactions == [
        f"ip sla reaction-configuration 10 react mos threshold-value 410 390 {tail}",
        f"ip sla reaction-configuration 20 react jitterAvg threshold-value 20 16 {tail}",
        f"ip sla reaction-configuration 30 react rtt threshold-value 200 160 {tail}",
        f"ip sla reaction-configuration 40 react packetLossSD threshold-value 2 0 {tail}",
    ]
    assert "ip sla logging traps" in text.splitlines()


def test_sla_reaction_units() -> None:
    t = Thresholds()
    assert sla_reaction("mos", t, 1000) == (380, 360)
    assert sla_reaction("rtt", t, 100) == (300, 240)
    assert sla_reaction("packetLossSD", t, 1000) == (10, 0)  # 1 % of 1000 packets
    with pytest.raises(ValueError):
        sla_reaction("icpif", t, 100)
