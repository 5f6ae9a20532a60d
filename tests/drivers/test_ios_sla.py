"""A scheduled IP SLA operation is changed by deleting and re-creating it (rollout.drivers.ios_sla).

The twin refuses to re-enter a scheduled operation as IOS does ("Entry already running and
cannot be modified"); the plan deletes it, configures it as the intent has it, and schedules
it again. The operation is the one of a public IOL router (tests/data/ios-public/iol/
otus-R12.cfg).
"""

from __future__ import annotations

from rollout.drivers.cisco_ios import ios_plan
from rollout.lab.ios.device import IosDevice

SLA = (
    "ip sla 1\n icmp-echo 10.10.0.6 source-interface Ethernet0/2\n threshold 20\n{timeout}"
    " frequency 5\nip sla schedule 1 start-time now\ntrack 1 ip sla 1 reachability\n"
    " delay down 15 up 15\n"
)
RUNNING = "hostname R12\n" + SLA.format(timeout=" timeout 20\n")
INTENT = "hostname R12\n" + SLA.format(timeout="")


def typed(dev: IosDevice, commands: tuple[str, ...]) -> list[str]:
    cli = dev.session(privilege=15)
    cli.handle("configure terminal")
    outs = [out for c in commands if (out := cli.handle(c).output)]
    cli.handle("end")
    return outs


def test_a_scheduled_operation_is_deleted_and_configured_again() -> None:
    dev = IosDevice.from_config(RUNNING)
    plan = ios_plan("R12", dev.running_config(), INTENT)
    assert plan.commands == (
        "no ip sla 1",
        "ip sla 1",
        "  icmp-echo 10.10.0.6 source-interface Ethernet0/2",
        "  threshold 20",
        "  frequency 5",
        "  exit",
        "ip sla schedule 1 start-time now",
    )
    assert typed(dev, plan.commands) == []
    assert ios_plan("R12", dev.running_config(), INTENT).commands == ()


def test_entering_it_instead_is_refused_by_the_twin() -> None:
    dev = IosDevice.from_config(RUNNING)
    outs = typed(dev, ("ip sla 1", " no timeout 20", " exit"))
    assert outs and "Entry already running and cannot be modified" in outs[0]


def test_an_operation_not_scheduled_is_edited_in_place() -> None:
    running = RUNNING.replace("ip sla schedule 1 start-time now\n", "")
    intent = INTENT.replace("ip sla schedule 1 start-time now\n", "")
    plan = ios_plan("R12", running, intent)
    assert [c.strip() for c in plan.commands] == ["ip sla 1", "no timeout 20", "exit"]
