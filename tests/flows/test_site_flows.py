"""site_flows: the flows table resolved for a site (the interface the network lab imports)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from rollout.flows import ResolvedFlow, site_flows
from rollout.intent import conference_in_acl, nft_rule, wan_in_acl
from rollout.inventory.loader import Inventory, load_inventory


def _one(flows: list[ResolvedFlow], name: str, **match: object) -> ResolvedFlow:
    found = [
        f for f in flows if f.name == name and all(getattr(f, k) == v for k, v in match.items())
    ]
    assert len(found) == 1, f"{name} {match}: {found}"
    return found[0]


def test_a_resolved_flow_is_frozen_and_complete(inv: Inventory) -> None:
    flows = site_flows(inv, inv.sites["bao-thang"])
    media = _one(flows, "media-to-codec")
    assert (media.protocol, media.src, media.dst) == ("udp", "10.16.0.20/32", "10.16.1.10/32")
    assert (media.src_ports, media.dst_ports) == ((49152, 65535), (3230, 3329))
    assert (media.opener, media.crossing) == ("mcu", "inbound")
    assert media.acls == ("WAN-IN", "CONFERENCE-IN")
    with pytest.raises(dataclasses.FrozenInstanceError):
        media.src = "0.0.0.0/0"  # type: ignore[misc]


def test_pilot_directions_relative_to_the_router(inv: Inventory) -> None:
    flows = site_flows(inv, inv.sites["bao-thang"])
    ntp_switch = _one(flows, "ntp/switch", dst="10.9.0.10/32")
    assert (ntp_switch.src, ntp_switch.crossing, ntp_switch.src_zone) == (
        "10.16.1.66/32",
        "outbound",
        "management",
    )
    assert (ntp_switch.request_acl, ntp_switch.reply_acl) == (None, "WAN-IN")
    call_in = _one(flows, "h225-call-in")
    assert (call_in.opener, call_in.crossing, call_in.dst_ports) == ("mcu", "inbound", (1720, 1720))
    assert (call_in.request_acl, call_in.reply_acl) == ("WAN-IN", "CONFERENCE-IN")
    syslog = _one(flows, "syslog/router")
    assert syslog.reply is False and syslog.acls == ()  # from the router itself, one-way
    assert {f.crossing for f in flows} == {"inbound", "outbound"}


def test_the_hub_sees_every_site_through_the_pools(inv: Inventory) -> None:
    flows = site_flows(inv, inv.sites["ubnd-tinh"])
    local = _one(flows, "media-to-mcu", src="10.16.0.10/32")
    assert local.crossing == "local" and local.acls == ()
    remote = _one(flows, "media-to-mcu", src="10.16.0.0/12")
    assert (remote.crossing, remote.request_acl) == ("inbound", "WAN-IN")
    probes = [f for f in flows if f.row == "sla-probes"]
    assert {f.src for f in probes} == {"10.255.0.0/16"}
    assert sorted(f.dst_ports for f in probes if f.dst_ports) == [
        (16384, 16384),
        (16386, 16386),
        (16388, 16388),
        (16390, 16390),
    ]


def test_a_site_file_adds_its_own_rows(repo: Path) -> None:
    row = {
        "name": "camera-rtsp",
        "from": "noc",
        "to": "codec",
        "protocol": "tcp",
        "ports": 554,
        "purpose": "the NOC watches the room camera",
    }
    path = repo / "inventory" / "sites" / "bao-thang.yml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["flows"] = [row]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    inv = load_inventory(repo)
    site = inv.sites["bao-thang"]
    added = _one(site_flows(inv, site), "camera-rtsp", src="10.9.0.0/24")
    assert (added.src, added.dst, added.crossing) == ("10.9.0.0/24", "10.16.1.10/32", "inbound")
    wan = [a.line() for _, aces in wan_in_acl(inv, site) for a in aces]
    assert "permit tcp 10.9.0.0 0.0.0.255 host 10.16.1.10 eq 554" in wan
    conf = [a.line() for _, aces in conference_in_acl(inv, site) for a in aces]
    assert "permit tcp host 10.16.1.10 eq 554 10.9.0.0 0.0.0.255 established" in conf
    assert "camera-rtsp" not in yaml.safe_dump(
        [a.line() for _, aces in wan_in_acl(inv, inv.sites["sa-pa"]) for a in aces]
    )


def test_nft_rules_come_from_the_same_entries(inv: Inventory) -> None:
    site = inv.sites["bao-thang"]
    rules = [nft_rule(a) for _, aces in wan_in_acl(inv, site) for a in aces]
    assert (
        "meta l4proto udp ip saddr 10.16.0.20 ip daddr 10.16.1.10 udp sport 49152-65535 "
        "udp dport 3230-3329 counter accept"
    ) in rules
    assert (
        "meta l4proto udp ip saddr 10.9.0.10 ip daddr 10.16.1.66 udp sport 123 counter accept"
    ) in rules
    assert (
        "meta l4proto icmp ip saddr 10.9.0.0/24 ip daddr 10.16.1.11 icmp type echo-request "
        "counter accept"
    ) in rules


def test_noc_mgmt_is_who_the_table_lets_reach_ssh_and_snmp(inv: Inventory) -> None:
    from rollout.flows import management_sources

    for slug in ("bao-thang", "ubnd-tinh"):
        site = inv.sites[slug]
        assert management_sources(inv, site, "router") == list(inv.province.noc_prefixes)
        assert management_sources(inv, site, "switch") == list(inv.province.noc_prefixes)
        assert management_sources(inv, site, "room_client") == []  # no SSH or SNMP there
