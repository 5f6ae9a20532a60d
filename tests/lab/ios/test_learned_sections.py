"""The twin keeps what a loaded running config shows even where its grammar is silent.

A running configuration is what the device accepted: a top-level line the grammar does not
know, a line indented under a section the grammar has no sub-mode for, or an indented line a
known section's grammar lacks, are kept where they are shown, and the same commands typed
later are taken in the same place. The keywords below are made up on purpose (the mechanism,
not a device fact, is under test); a command unknown everywhere is still refused when typed.
"""

from __future__ import annotations

from rollout.lab.ios.device import IosDevice

LOADED = """hostname twin
frobnicator-card 0/4
 no watchdog-timer
 fan-level 3
!
interface GigabitEthernet0/0/0
 ip address 10.0.0.1 255.255.255.0
 ip frobnicate inbound
 description uplink
!
frobnicate-global enable
end
"""


def typed(dev: IosDevice, *lines: str) -> list[str]:
    cli = dev.session(privilege=15)
    cli.handle("configure terminal")
    outs = [cli.handle(line).output for line in lines]
    cli.handle("end")
    return outs


def section(dev: IosDevice, header: str) -> list[str]:
    lines = dev.running_config().splitlines()
    at = lines.index(header)
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith(" "))
    return lines[at:end]


def test_loaded_lines_are_kept_where_shown() -> None:
    dev = IosDevice.from_config(LOADED)
    assert dev.load_errors == []
    assert section(dev, "frobnicator-card 0/4") == [
        "frobnicator-card 0/4",
        " no watchdog-timer",
        " fan-level 3",
    ]
    port = section(dev, "interface GigabitEthernet0/0/0")
    assert " ip frobnicate inbound" in port and " description uplink" in port
    assert "frobnicate-global enable" in dev.running_config().splitlines()


def test_the_same_commands_typed_go_to_the_same_place() -> None:
    dev = IosDevice.from_config(LOADED)
    outs = typed(
        dev,
        "frobnicator-card 0/5",
        "  fan-level 2",
        "  exit",
        "interface GigabitEthernet0/0/0",
        "  ip frobnicate outbound",
        "  exit",
        "no frobnicate-global enable",
    )
    assert outs == [""] * 7
    assert section(dev, "frobnicator-card 0/5") == ["frobnicator-card 0/5", " fan-level 2"]
    assert " ip frobnicate outbound" in section(dev, "interface GigabitEthernet0/0/0")
    assert "frobnicate-global enable" not in dev.running_config().splitlines()


def test_a_command_unknown_everywhere_is_still_refused() -> None:
    dev = IosDevice.from_config(LOADED)
    outs = typed(dev, "interface GigabitEthernet0/0/0", "  zork 1", "  exit", "zork-global 2")
    assert "% Invalid input" in outs[1]
    assert "% Invalid input" in outs[3]


# The shape of an IOS-XE "policy-map type control subscriber" (Cisco IBNS 2.0): events, then
# numbered classes, then numbered actions, each level indented under the one before.
NESTED = """hostname twin
policy-map type control subscriber P1
 event session-started match-all
  10 class always do-until-failure
   10 authenticate using dot1x priority 10
 event authentication-failure match-first
  20 class FAILED do-all
   10 terminate dot1x
!
end
"""


def test_nested_sections_are_kept_at_their_depth() -> None:
    dev = IosDevice.from_config(NESTED)
    assert dev.load_errors == []
    assert section(dev, "policy-map type control subscriber P1") == [
        line for line in NESTED.splitlines()[1:8] if line != "!"
    ]


def test_a_nested_section_the_device_lacks_is_planned_and_converges() -> None:
    from rollout.drivers.cisco_ios import ios_plan

    dev = IosDevice.from_config("hostname twin\nend\n")
    plan = ios_plan("twin", dev.running_config(), NESTED)
    assert typed(dev, *plan.commands) == [""] * len(plan.commands)
    assert ios_plan("twin", dev.running_config(), NESTED).commands == ()
