"""Plans a live IOS session survives: merged sections, whole banners, exits that match modes.

- re-entered sections are merged as IOS merges them, before hier_config sees the text;
- a multi-line banner (any delimiter, inline or not, the ^C IOS shows) is one command and
  round-trips: the device showing it plans nothing;
- no plan line leaves configuration mode: every exit closes the sub-mode just entered
  (checked over all corpus pairs by the planner itself, and here on purpose-built plans);
- physical ports of every supported type are never deleted, only reset.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rollout.drivers import ios_rules
from rollout.drivers.base import DeviceError
from rollout.drivers.cisco_ios import check_modes, ios_plan
from rollout.drivers.ios_canon import PHYSICAL_KINDS, canonical
from rollout.drivers.ios_sections import EXITS

CORPUS = Path(__file__).resolve().parents[1] / "data" / "ios-corpus"
TEXTS = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*/*.cfg"))]

# -- re-entered sections ----------------------------------------------------------------------

REENTERED = """\
interface Gi0/0/1
 description first
interface GigabitEthernet0/0/1
 ip address 10.0.0.1 255.255.255.0
 description second
router bgp 65001
 neighbor 10.0.0.2 remote-as 65002
router bgp 65001
 neighbor 10.0.0.3 remote-as 65003
hostname a
hostname b
"""
MERGED = """\
interface GigabitEthernet0/0/1
 ip address 10.0.0.1 255.255.255.0
 description second
router bgp 65001
 neighbor 10.0.0.2 remote-as 65002
 neighbor 10.0.0.3 remote-as 65003
hostname b
"""


def test_re_entered_sections_are_one_section_and_the_last_value_wins() -> None:
    plan = ios_plan("dut", "", REENTERED)
    sent = [c.strip() for c in plan.commands]
    assert sent.count("interface GigabitEthernet0/0/1") == 1
    assert sent.count("router bgp 65001") == 1
    assert "description second" in sent and "description first" not in sent
    assert "hostname b" in sent and "hostname a" not in sent
    assert ios_plan("dut", MERGED, REENTERED).commands == ()


def test_a_changed_single_value_is_set_not_negated_first() -> None:
    plan = ios_plan(
        "dut",
        "hostname a\nline con 0\n exec-timeout 0 0\n",
        "hostname b\nline con 0\n exec-timeout 15 0\n",
    )
    assert [c.strip() for c in plan.commands] == [
        "hostname b",
        "line con 0",
        "exec-timeout 15 0",
        "exit",
    ]


def test_a_changed_secret_of_the_login_user_is_replaced_not_deleted() -> None:
    running = "username noc privilege 15 secret 5 $1$old\n"
    intended = "username noc privilege 15 secret 9 $9$new\n"
    plan = ios_plan("dut", running, intended, "noc")
    assert plan.commands == ("username noc privilege 15 secret 9 $9$new",)


# -- banners ------------------------------------------------------------------------------------

BANNERS = [
    "banner login ^CFirst line.\nSecond line.^C\n",
    "banner login #First line.\nSecond line.#\n",
    "banner motd ^C\nAuthorised access only.\n  Indented line, kept.\n^C\n",
    "banner motd %\nAuthorised access only.\n%\n",
    "banner exec @Single line@\n",
    "banner login ^C\n!!! WARNING !!!\n\nend\nversion 2 of this notice\n^C\n",
]


@pytest.mark.parametrize("banner", BANNERS)
def test_a_banner_is_one_command_and_round_trips(banner: str) -> None:
    intended = "hostname r1\n" + banner
    plan = ios_plan("dut", "hostname r1\n", intended)
    banners = [c for c in plan.commands if c.startswith("banner ")]
    assert len(banners) == 1
    assert not any(c.startswith("no ") for c in plan.commands)
    # the device shows what was sent between ^C: that plans nothing
    shown = canonical("hostname r1\n" + banners[0] + "\n")
    assert shown == canonical(intended)
    assert ios_plan("dut", shown + "\n", intended).commands == ()


def test_a_banners_blank_and_comment_like_lines_are_text() -> None:
    """Blank lines, '!' lines and 'end' inside a banner are its text, sent and compared."""
    text = "!!! WARNING !!!\n\nend\nversion 2 of this notice"
    plan = ios_plan("dut", "hostname r1\n", f"hostname r1\nbanner login ^C\n{text}\n^C\n")
    assert plan.commands == (f"banner login #\n{text}\n#",)
    shown = f"hostname r1\nbanner login ^C\n{text}\n^C\n"
    assert ios_plan("dut", shown, shown).commands == ()
    changed = ios_plan("dut", shown.replace("\n\nend", "\nend"), shown)
    assert changed.commands == (f"banner login #\n{text}\n#",)


def test_a_banner_never_ended_is_a_device_error() -> None:
    with pytest.raises(DeviceError, match="never ends"):
        ios_plan("dut", "hostname r1\n", "hostname r1\nbanner motd ^C\nno end\n")


def test_a_removed_banner_is_negated() -> None:
    plan = ios_plan("dut", "hostname r1\nbanner motd ^C\nold\n^C\n", "hostname r1\n")
    assert plan.commands == ("no banner motd",)


# -- exits --------------------------------------------------------------------------------------


def test_exit_lines_of_the_input_never_reach_the_plan_at_top_level() -> None:
    intended = (
        "interface Loopback0\n description x\n exit\nexit\nend\nquit\n"
        "router bgp 1\n address-family ipv4\n  neighbor 10.0.0.1 activate\n exit-address-family\n"
    )
    plan = ios_plan("dut", "", intended)
    assert not [c for c in plan.commands if EXITS.match(c) and not c.startswith(" ")]
    check_modes("dut", list(plan.commands))


@pytest.mark.parametrize(
    "commands",
    [
        ["interface Loopback0", "  description x", "exit"],  # leaves config mode
        ["hostname r1", "  exit"],  # closes a mode never entered
        ["router bgp 1", "  address-family ipv4", "    neighbor x activate", "  exit"],
        ["router bgp 1", "  neighbor x remote-as 2", "  exit-address-family"],
        ["  description x"],  # a child with no section
    ],
)
def test_exits_that_do_not_match_the_mode_are_refused(commands: list[str]) -> None:
    with pytest.raises(DeviceError, match="planner bug"):
        check_modes("dut", commands)


def test_bgp_exits_match_the_modes_they_close() -> None:
    check_modes(
        "dut",
        [
            "router bgp 1",
            "  neighbor 10.0.0.2 remote-as 3",
            "  address-family ipv4",
            "    neighbor 10.0.0.2 activate",
            "    exit-address-family",
            "  exit",
            "interface Loopback0",
            "  description x",
            "hostname r1",
        ],
    )


@pytest.mark.parametrize("pair", list(itertools.permutations(range(len(TEXTS)), 2))[::7])
def test_corpus_plans_never_leave_configuration_mode(pair: tuple[int, int]) -> None:
    a, b = pair
    plan = ios_plan("dut", TEXTS[a], TEXTS[b])
    check_modes("dut", list(plan.commands))
    assert not [c for c in plan.commands if EXITS.match(c) and not c.startswith(" ")]


# -- physical ports -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PHYSICAL_KINDS)
def test_physical_ports_are_reset_never_deleted(kind: str) -> None:
    name = f"{kind}0/1/0"
    assert ios_rules.fix_negations([f"no interface {name}"]) == [f"default interface {name}"]
    running = f"hostname r1\ninterface {name}\n description old\n"
    plan = ios_plan("dut", running, "hostname r1\n")
    assert plan.commands == ()
    assert f"interface {name}" in plan.unmanaged


def test_a_sub_interface_is_deleted_when_the_intent_owns_its_port() -> None:
    assert ios_rules.fix_negations(["no interface GigabitEthernet0/0/1.30"]) == [
        "no interface GigabitEthernet0/0/1.30"
    ]
