"""DNS in the province model, the codec's intent and rendered commands, the live preflight and
the flows proof; the admin password's previous value in the credentials."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rollout.coverage import site_gaps
from rollout.credentials import previous_password
from rollout.drivers.polycom import parse_commands
from rollout.intent.polycom import dns_slots
from rollout.inventory.inventory import Inventory
from rollout.inventory.loader import load_inventory
from rollout.inventory.model import Province, Role
from rollout.preflight import address_problems
from rollout.render import render_device
from rollout.secrets import Secrets, load_secrets

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(REPO)


@pytest.fixture(scope="module")
def secrets() -> Secrets:
    return load_secrets(REPO)


def _province(inv: Inventory, **changes: Any) -> Province:
    data = inv.province.model_dump(mode="json", by_alias=True)
    data.update(changes)
    return Province.model_validate(data)


def _with(inv: Inventory, province: Province) -> Inventory:
    return replace(inv, province=province)


def _codec_text(inv: Inventory, secrets: Secrets, slug: str = "bao-thang") -> str:
    site = inv.sites[slug]
    codec = site.device(Role.CODEC)
    assert codec is not None
    return render_device(inv, site, codec, secrets).text


def test_the_pilot_names_its_resolvers_and_the_codec_gets_them(
    inv: Inventory, secrets: Secrets
) -> None:
    resolvers = inv.province.dns_servers
    assert 1 <= len(resolvers) <= 4
    got = parse_commands(_codec_text(inv, secrets))
    assert [got[f"dns.{n}"] for n in range(1, 5)] == list(dns_slots(resolvers))
    assert got["enablevlan"] == "no"
    assert "vlanid" not in got


@pytest.mark.parametrize(
    ("servers", "why"),
    [
        (["10.9.0.14"] * 2, "repeated"),
        ([f"10.9.0.{n}" for n in range(14, 19)], "at most 4"),
        (["resolver.example"], "address"),
        (["10.9.0.300"], "address"),
    ],
)
def test_bad_resolvers_are_refused(inv: Inventory, servers: list[str], why: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _province(inv, dns_servers=servers)
    assert "dns_servers" in str(caught.value)
    if why == "repeated":
        assert "10.9.0.14" in str(caught.value)


def test_no_resolver_leaves_the_codec_dns_alone(inv: Inventory, secrets: Secrets) -> None:
    bare = _with(inv, _province(inv, dns_servers=[]))
    text = _codec_text(bare, secrets)
    assert not any(line.startswith("dns ") for line in text.splitlines())
    assert dns_slots([]) == ()
    assert dns_slots(["10.0.0.1"]) == ("10.0.0.1", "", "", "")


def test_a_resolver_in_a_documentation_prefix_is_refused_live(inv: Inventory) -> None:
    doc = _with(inv, _province(inv, dns_servers=["192.0.2.53", "10.9.0.15"]))
    paths = [p.path for p in address_problems(doc, ["bao-thang"])]
    assert "dns_servers[0]" in paths
    assert "dns_servers[1]" not in paths


def test_the_flows_proof_needs_the_dns_rows(inv: Inventory) -> None:
    site = inv.sites["bao-thang"]
    assert site_gaps(inv, site) == []
    flows = [row.model_dump(mode="json", by_alias=True) for row in inv.province.flows]
    without = [row for row in flows if not row["name"].startswith("dns-")]
    assert len(without) == len(flows) - 2
    cut = _with(inv, _province(inv, flows=without))
    gaps = site_gaps(cut, site)
    assert gaps
    assert {(g.flow.name, g.flow.opener, g.flow.dst_ports) for g in gaps} == {
        ("dns-udp", "codec", (53, 53))
    }
    assert "dns set 1..4" in gaps[0].fix


def test_previous_password_comes_from_the_vault_only_for_the_codec(
    inv: Inventory, secrets: Secrets
) -> None:
    site = inv.sites["bao-thang"]
    codec, router = site.device(Role.CODEC), site.device(Role.WAN_ROUTER)
    assert codec is not None and router is not None
    cred = inv.province.credentials
    assert previous_password(inv, codec, secrets) == ""  # the lab vault holds none
    values = dict(secrets.items())
    rotated = Secrets({**values, cred.codec_admin_password_previous: "Old-codec-pass-1"})
    assert previous_password(inv, codec, rotated) == "Old-codec-pass-1"
    assert previous_password(inv, router, rotated) == ""
    same = Secrets(
        {**values, cred.codec_admin_password_previous: values[cred.codec_admin_password]}
    )
    assert previous_password(inv, codec, same) == ""


def test_a_site_may_name_its_own_resolvers(inv: Inventory, secrets: Secrets) -> None:
    from rollout.flows import site_flows

    site = inv.sites["bao-thang"].model_copy(update={"dns_servers": ["10.16.1.53"]})
    own = replace(inv, sites={**inv.sites, "bao-thang": site})
    got = parse_commands(_codec_text(own, secrets))
    assert [got[f"dns.{n}"] for n in range(1, 5)] == ["10.16.1.53", "", "", ""]
    dns = {f.dst for f in site_flows(own, site) if f.row.startswith("dns-")}
    assert dns == {"10.16.1.53/32"}
    assert site_gaps(own, site) == []
    # the other sites keep the province's
    other = parse_commands(_codec_text(own, secrets, "ubnd-tinh"))
    assert other["dns.1"] == inv.province.dns_servers[0]


def test_a_site_resolver_in_a_documentation_prefix_is_refused_live(inv: Inventory) -> None:
    site = inv.sites["bao-thang"].model_copy(update={"dns_servers": ["198.51.100.53"]})
    own = replace(inv, sites={**inv.sites, "bao-thang": site})
    problems = address_problems(own, ["bao-thang"])
    assert [(p.file, p.path) for p in problems if "198.51.100.53" in p.message] == [
        ("inventory/sites/bao-thang.yml", "dns_servers[0]")
    ]
