"""Lab conditions as data, their plan from the inventory, and the control channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.inventory.loader import load_inventory
from rollout.lab.condition_apply import apply_condition, clear_condition, list_conditions
from rollout.lab.conditions import (
    Bleach,
    LinkFlaps,
    Load,
    ProviderDrops,
    RegistrarDown,
    Unreachable,
    condition_to_json,
    parse_condition,
)
from rollout.lab.faults import FaultSpecError
from rollout.lab.ios.device import IosDevice
from rollout.lab.polycom import PolycomDevice
from rollout.lab.site_conditions import Options, plan

ROOT = Path(__file__).resolve().parents[2]


def test_json_round_trip_and_errors() -> None:
    for cond in (
        LinkFlaps("GigabitEthernet0/0/0", 4, 20.0),
        Load("GigabitEthernet0/0/0", {"ef": 500.0, "af41": 4000.0}, 10000),
        Unreachable(("10.16.0.20/32",)),
    ):
        assert parse_condition(condition_to_json(cond)) == cond
    bad = (
        {"kind": "nope"},
        {"kind": "port_errors"},
        {"kind": "port_errors", "interface": "Gi 0", "crc_per_second": 1},
        {"kind": "load", "interface": "Gi0/0/0", "offered": {"gold": 5}},
        {"kind": "unreachable", "prefixes": ["10.0.0.300/32"]},
        {"kind": "link_flaps", "interface": "Gi0/0/0", "count": 0},
        {"kind": "provider_drops", "contract_kbps": True},
    )
    for data in bad:
        with pytest.raises(FaultSpecError):
            parse_condition(data)


def test_codec_registrar_down_through_its_state_api() -> None:
    codec = PolycomDevice()
    apply_condition(codec, RegistrarDown())
    assert codec.registrar_reachable is False
    assert list_conditions(codec) == [{"kind": "registrar_down"}]
    with pytest.raises(FaultSpecError, match="codec takes only"):
        apply_condition(codec, ProviderDrops(1000))
    clear_condition(codec)
    assert codec.registrar_reachable is True


def test_router_conditions_replace_by_key_and_clear() -> None:
    router = IosDevice.from_config("hostname r1\ninterface GigabitEthernet0/0/0\n")
    apply_condition(router, Unreachable(("10.0.0.0/8",)))
    apply_condition(router, Unreachable(("10.16.0.20/32",)))
    assert list_conditions(router) == [{"kind": "unreachable", "prefixes": ["10.16.0.20/32"]}]
    with pytest.raises(FaultSpecError, match="registrar_down"):
        apply_condition(router, RegistrarDown())
    assert "unreachable" in clear_condition(router, "unreachable")
    assert list_conditions(router) == []
    with pytest.raises(FaultSpecError, match="unknown condition kind"):
        clear_condition(router, "nope")


def test_plan_from_the_inventory() -> None:
    inv = load_inventory(ROOT)
    site = inv.sites["bao-thang"]
    switch = next(d for d in site.devices if d.role.value == "lan_switch")
    router = next(d for d in site.devices if d.role.value == "wan_router")
    codec = next(d for d in site.devices if d.role.value == "codec")
    [(name, cond)] = plan(inv, switch.hostname, "duplex_mismatch", Options())
    assert name == switch.hostname
    assert getattr(cond, "interface", "") == getattr(switch, "codec_port", None)
    pairs = plan(inv, router.hostname, "registrar_down", Options())
    assert (codec.hostname, RegistrarDown()) in pairs
    drops = {c.kind: c for _n, c in plan(inv, router.hostname, "provider_drops", Options())}
    assert isinstance(drops["provider_drops"], ProviderDrops)
    assert drops["provider_drops"].contract_kbps < site.wan.rate_kbps
    hub = plan(inv, codec.hostname, "bleach", Options())
    assert any(isinstance(c, Bleach) and c.sources == (site.block,) for _n, c in hub)
    targets = plan(inv, router.hostname, "unreachable", Options(targets=("mcu", "cloud")))
    [(_n, gone)] = targets
    assert isinstance(gone, Unreachable) and "203.0.113.0/24" in gone.prefixes


def test_unknown_interface_is_refused_with_the_known_ones() -> None:
    router = IosDevice.from_config("hostname r1\ninterface GigabitEthernet0/0/0\n")
    with pytest.raises(FaultSpecError, match=r"no interface 'Nope0'.*GigabitEthernet0/0/0"):
        apply_condition(router, LinkFlaps("Nope0"))


def test_the_command_offers_every_condition_the_lab_knows() -> None:
    """The CLI keeps its own list of kinds (it must not import the lab at start-up): it is the
    lab's list, in the same order."""
    from rollout.cli.lab_condition import KINDS as OFFERED
    from rollout.lab.site_conditions import KINDS

    assert OFFERED == KINDS
