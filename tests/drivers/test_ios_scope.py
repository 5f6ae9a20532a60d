"""The IOS plan touches only what rollout owns; platform lines are reported, never changed.

Day-0 configs of real devices (tests/drivers/fixtures/ios/, sources in each file's header):
an ISR4321 and an ISR4351 against the router intent, a Catalyst 2960-X against the switch
intent (tests/golden/bao-thang/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.drivers import ios_rules, ios_scope
from rollout.drivers.base import DeviceError
from rollout.drivers.cisco_ios import ios_plan
from rollout.drivers.ios_sections import parse, render

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "ios"
GOLDEN = HERE.parents[0] / "golden" / "bao-thang"
ROUTER = (GOLDEN / "bao-thang-rtr01.cfg").read_text(encoding="utf-8")
SWITCH = (GOLDEN / "bao-thang-sw01.cfg").read_text(encoding="utf-8")

# Lines of each day-0 config the plan must leave alone (the device's, not rollout's).
PLATFORM: dict[str, tuple[str, list[str]]] = {
    "isr4321-day0": (
        ROUTER,
        [
            "no platform punt-keepalive disable-kernel-core",
            "vrf definition Mgmt-intf",
            "redundancy",
            "control-plane",
            "line aux 0",
            "spanning-tree extend system-id",
            "vlan internal allocation policy ascending",
            "interface Serial0/1/0",
            "interface Serial0/1/1",
            "interface GigabitEthernet0",
            "interface GigabitEthernet0/0/0 / negotiation auto",
            "line con 0 / stopbits 1",
        ],
    ),
    "isr4351-day0": (
        ROUTER,
        [
            "platform punt-keepalive disable-kernel-core",
            "platform qfp utilization monitor load 80",
            "vrf definition Mgmt-intf",
            "license boot level appxk9",
            "license boot suite AdvUCSuiteK9",
            "redundancy",
            "control-plane",
            "line aux 0",
            "line vty 5 14",
            "interface Service-Engine0/1/4",
            "interface BRI0/1/0:0",
            "interface GigabitEthernet0/0/2",
        ],
    ),
    "c2960x-day0": (
        SWITCH,
        [
            "no service pad",
            "switch 1 provision ws-c2960x-24ps-l",
            "vlan internal allocation policy ascending",
            "username admin secret 5 $1$aqIY$pTFQI3Uf1Kk32FYJWR6C1.",
            "interface FastEthernet0",
            "interface Port-channel11",
        ],
    ),
}
NEVER_SENT = (
    "vrf definition",
    "no vrf",
    "crypto",
    "no crypto",
    "license",
    "no license",
    "redundancy",
    "no redundancy",
    "control-plane",
    "no control-plane",
    "line aux",
    "no line",
    "platform",
    "no platform",
    "switch 1 provision",
    "no switch 1 ",
    "vlan internal",
    "no vlan internal",
    "service pad",
    "no service pad",
    "no interface",
    "interface Serial",
    "interface Service-Engine",
    "interface FastEthernet0",
    "no username admin",
    "no ip route vrf",
)


def day0(name: str) -> str:
    return (FIXTURES / f"{name}.cfg").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(PLATFORM))
def test_plan_leaves_platform_lines_alone_and_reports_them(name: str) -> None:
    intended, platform = PLATFORM[name]
    plan = ios_plan("dut", day0(name), intended, "noc")
    assert plan.commands, "the day-0 config is not the intent: something must be sent"
    sent = [c.strip() for c in plan.commands]
    touched = [c for c in sent if c.startswith(NEVER_SENT)]
    assert touched == []
    missing = [line for line in platform if line not in plan.unmanaged]
    assert missing == [], plan.unmanaged


# The unit's identity (ios_rules.IDENTITY_RULES): never compared, so neither sent nor reported.
IDENTITY = {
    "isr4321-day0": ["license udi pid ISR4321/K9 sn FDO222744LX"],
    "isr4351-day0": [
        "crypto pki trustpoint TP-self-signed-1357684700",
        "crypto pki certificate chain TP-self-signed-1357684700",
    ],
}


@pytest.mark.parametrize("name", list(IDENTITY))
def test_identity_lines_are_neither_sent_nor_reported(name: str) -> None:
    intended, _platform = PLATFORM[name]
    assert all(line in day0(name).splitlines() for line in IDENTITY[name])
    plan = ios_plan("dut", day0(name), intended, "noc")
    for line in IDENTITY[name]:
        assert not [c for c in plan.commands if line in c], line
        assert not [u for u in plan.unmanaged if u.startswith(line)], line


@pytest.mark.parametrize("name", list(PLATFORM))
def test_a_converged_device_with_platform_lines_plans_nothing(name: str) -> None:
    """The intent applied on top of the day-0 config: nothing left to send, lines reported."""
    intended, _platform = PLATFORM[name]
    first = ios_plan("dut", day0(name), intended, "noc")
    tops = {x for x in first.unmanaged if " / " not in x}
    kept = [n for n in parse(ios_rules.clean(day0(name))) if n.text in tops]
    running = intended + render(kept)
    plan = ios_plan("dut", running, intended, "noc")
    assert plan.commands == ()
    assert set(plan.unmanaged) >= tops


def test_the_intent_owns_what_it_names() -> None:
    """A line of the intent makes its family in scope: another AS, ACL or port of its own."""
    running = (
        "router bgp 1\n neighbor 10.0.0.1 remote-as 2\nip access-list extended OTHER\n"
        " deny ip any any\n"
    )
    intended = "router bgp 3\n neighbor 10.0.0.1 remote-as 2\n"
    plan = ios_plan("dut", running, intended)
    assert "no router bgp 1" in plan.commands
    assert "ip access-list extended OTHER" in plan.unmanaged
    owned = ios_plan(
        "dut", running, intended + "ip access-list extended OTHER\n permit ip any any\n"
    )
    assert "ip access-list extended OTHER" not in owned.unmanaged


def test_no_aaa_new_model_under_an_intent_silent_on_aaa_is_left_alone() -> None:
    plan = ios_plan("dut", "hostname r1\nno aaa new-model\n", "hostname r1\n")
    assert plan.commands == ()
    assert plan.unmanaged == ("no aaa new-model",)


def test_aaa_on_by_implication_is_refused() -> None:
    """The intent owns aaa but does not name `aaa new-model`: the plan stops, naming it."""
    running = "hostname r1\nno aaa new-model\n"
    intended = "hostname r1\naaa authentication login default local\n"
    with pytest.raises(DeviceError, match="aaa new-model"):
        ios_plan("dut", running, intended)
    named = ios_plan("dut", running, intended + "aaa new-model\n")
    assert "aaa new-model" in named.commands


def test_every_family_row_has_a_reason() -> None:
    for family in ios_scope.FAMILIES:
        assert family.reason and family.rendered_by, family


def test_drift_reports_unmanaged_lines_as_a_count_and_a_list() -> None:
    from rollout import drift

    d = drift.DeviceDrift(
        "r1", "s", "cisco_ios", "wan_router", drift.State.CLEAN, unmanaged=("redundancy",)
    )
    data = d.to_json()
    assert data["unmanaged_count"] == 1
    assert data["unmanaged"] == ["redundancy"]
    report = drift.Report([d], 0.1, 1)
    assert report.exit_code == 0  # never an error, never drift
    assert drift.table_rows(report)[0][4] == "1"


def test_mop_lines_written_by_the_platform_stay() -> None:
    """IOS-XE 16 CSR1000v shows 'no mop enabled' on every port; negating it turns MOP on."""
    port = "interface GigabitEthernet1\n ip address 10.0.0.1 255.255.255.0\n"
    running = "hostname r1\n" + port + " no mop enabled\n no mop sysid\n"
    plan = ios_plan("dut", running, "hostname r1\n" + port)
    assert plan.commands == ()
    assert "interface GigabitEthernet1 / no mop enabled" in plan.unmanaged
    # the intent that sets it owns it
    owned = ios_plan("dut", running, "hostname r1\n" + port + " mop enabled\n")
    assert [c.strip() for c in owned.commands] == [
        "interface GigabitEthernet1",
        "mop enabled",
        "exit",
    ]


def test_an_empty_header_in_the_intent_owns_the_running_section() -> None:
    """An ISR4221 16.9 shows `router ospf 1` with nothing under it (isr4221/fls-R1.cfg): an
    intent of that header owns the device's `router ospf 1` section, whose lines go."""
    running = "hostname r1\nrouter ospf 1\n network 10.0.0.0 0.0.0.255 area 0\n"
    plan = ios_plan("dut", running, "hostname r1\nrouter ospf 1\n")
    assert [c.strip() for c in plan.commands] == [
        "router ospf 1",
        "no network 10.0.0.0 0.0.0.255 area 0",
        "exit",
    ]
    assert plan.unmanaged == ()
    assert (
        ios_plan("dut", "hostname r1\nrouter ospf 1\n", "hostname r1\nrouter ospf 1\n").commands
        == ()
    )
