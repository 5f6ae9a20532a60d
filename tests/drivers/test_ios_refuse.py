"""Each refused change stops a plan with a message naming the line, unless the intent names it."""

from __future__ import annotations

import re

import pytest

from rollout.drivers import ios_refuse
from rollout.drivers.base import DeviceError
from rollout.drivers.ios_canon import PHYSICAL_KINDS

EXAMPLES: dict[str, list[str]] = {
    r"(?:no )?license\b": ["no license boot level appxk9", "license boot level securityk9"],
    r"(?:no )?crypto (?:pki|key)\b": [
        "no crypto pki trustpoint SLA-TrustPoint",
        "crypto key zeroize rsa",
        "no crypto key generate rsa",
    ],
    r"(?:no )?boot\b": ["boot system flash:c2960x.bin", "no boot system"],
    r"(?:no )?config-register\b": ["config-register 0x2142"],
    r"no aaa new-model$": ["no aaa new-model"],
    r"aaa new-model$": ["aaa new-model"],
    next(r.pattern for r in ios_refuse.REFUSED if r.pattern.startswith("no interface")): [
        f"no interface {kind}0/1/0" for kind in PHYSICAL_KINDS
    ],
    r"no platform\b": ["no platform punt-keepalive disable-kernel-core"],
    r"(?:no )?switch \d+ provision\b": ["no switch 1 provision ws-c2960x-24ps-l"],
    r"(?:no )?redundancy$": ["no redundancy"],
    r"(?:no )?control-plane$": ["no control-plane"],
    r"no vrf definition Mgmt-intf$": ["no vrf definition Mgmt-intf"],
    r"no line\b": ["no line aux 0", "no line vty 5 14"],
}


def test_every_row_has_examples() -> None:
    assert {r.pattern for r in ios_refuse.REFUSED} == set(EXAMPLES)


@pytest.mark.parametrize("line", [x for lines in EXAMPLES.values() for x in lines], ids=str)
def test_a_refused_line_stops_the_plan_and_is_named(line: str) -> None:
    with pytest.raises(DeviceError, match=re.escape(repr(line))) as info:
        ios_refuse.check("dut", ["hostname r1", line], set())
    assert info.value.fix
    ios_refuse.check("dut", ["hostname r1", line], {line})  # named by the intent: sent


def test_a_sub_interface_may_be_deleted() -> None:
    ios_refuse.check("dut", ["no interface GigabitEthernet0/0/1.30"], set())


def test_the_login_user_is_never_deleted() -> None:
    with pytest.raises(DeviceError, match="no username noc"):
        ios_refuse.check("dut", ["no username noc privilege 15 secret 9 $9$x"], set(), "noc")
    ios_refuse.check("dut", ["no username other privilege 15"], set(), "noc")
